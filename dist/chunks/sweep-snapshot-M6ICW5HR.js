import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import{g as a,h as b}from"./chunk-IBXI3YJV.js";import"./chunk-6CC2XWDO.js";import"./chunk-S7MLJKM3.js";import"./chunk-6EC2D3C2.js";export{a as isAgentloopRun,b as loadSweepSnapshot};
