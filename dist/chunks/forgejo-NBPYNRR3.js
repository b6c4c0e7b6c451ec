import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import{b as a,c as b,d as c,e as d}from"./chunk-YBLFVCUO.js";import"./chunk-DHXB5U5J.js";import"./chunk-VLKVKD7L.js";import"./chunk-6EC2D3C2.js";export{c as ForgejoForge,a as MIN_FORGEJO_MAJOR,d as createForgejoForge,b as versionProblem};
