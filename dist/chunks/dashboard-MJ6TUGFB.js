import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import{a,b}from"./chunk-SK4BU7HS.js";import"./chunk-XX6XK7RA.js";import"./chunk-S7MLJKM3.js";import"./chunk-6EC2D3C2.js";export{a as dashboardBody,b as refreshDashboard};
