import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import{f as a,g as b}from"./chunk-YZVC6QPE.js";import"./chunk-M74D3S2J.js";import"./chunk-6ZCWFFF7.js";import"./chunk-WQCNKBVE.js";import"./chunk-S7MLJKM3.js";import"./chunk-6EC2D3C2.js";export{a as isAgentloopRun,b as loadSweepSnapshot};
