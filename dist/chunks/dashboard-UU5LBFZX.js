import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import{a,b}from"./chunk-OTMJPMFV.js";import"./chunk-XXADJ33R.js";import"./chunk-VLKVKD7L.js";import"./chunk-6EC2D3C2.js";export{a as dashboardBody,b as refreshDashboard};
