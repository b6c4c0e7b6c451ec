import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-2ETJOWTD.js";import"./chunk-S7MLJKM3.js";import"./chunk-6EC2D3C2.js";export{a as DASHBOARD_MARKER,c as refreshDashboard,b as renderDashboard};
