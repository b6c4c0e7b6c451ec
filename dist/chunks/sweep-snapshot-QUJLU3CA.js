import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import{g as a,h as b}from"./chunk-K6KE4ESX.js";import"./chunk-6ZCWFFF7.js";import"./chunk-OF7Q47QA.js";import"./chunk-S7MLJKM3.js";import"./chunk-6EC2D3C2.js";export{a as isAgentloopRun,b as loadSweepSnapshot};
