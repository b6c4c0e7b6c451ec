import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import{s as a,t as b}from"./chunk-7DV46NBW.js";import"./chunk-GRAB6DV3.js";import"./chunk-GB747JAT.js";import"./chunk-WQCNKBVE.js";import"./chunk-FKAKH2SL.js";import"./chunk-S7MLJKM3.js";import"./chunk-6EC2D3C2.js";export{a as isAgentloopRun,b as loadSweepSnapshot};
