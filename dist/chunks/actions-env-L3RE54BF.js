import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-I26X7SGA.js";import"./chunk-JIZCI2R3.js";import"./chunk-TG6WJQYR.js";import"./chunk-BA6N4DQL.js";import"./chunk-S7MLJKM3.js";import"./chunk-6EC2D3C2.js";export{c as detectForge,a as inputEnvName,d as readActionsEnv,b as readInputs};
