import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import{e as a,f as b,g as c,h as d}from"./chunk-AGK7LLJD.js";import"./chunk-6W56YAD3.js";import"./chunk-S7MLJKM3.js";import"./chunk-6EC2D3C2.js";export{a as CI_FAILURE_MARKER,c as isAgentloopRun,d as loadSweepSnapshot,b as trackedWorkflow};
