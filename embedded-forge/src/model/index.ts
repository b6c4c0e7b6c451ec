// The scripted model server: `new ModelServer({ dialects: [anthropicDialect], script })`, its URL given to
// a real coding-agent CLI as its model API base URL.
export { anthropicDialect, workingDirectory } from './anthropic.js';
export { geminiDialect, geminiWorkingDirectory } from './gemini.js';
export { openaiResponsesDialect } from './openai.js';
export type { ChosenTurn, ConversationFacts, ModelAction, ModelConversation, ModelFailure, ModelScript, ModelTurn } from './script.js';
export { chooseTurn } from './script.js';
export {
  type ModelDialect,
  type ModelRequest,
  ModelServer,
  type ModelServerOptions,
  type RecordedModelCall,
  sse,
} from './server.js';
