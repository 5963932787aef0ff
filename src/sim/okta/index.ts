export { startOktaSimulator } from './okta-simulator.js';
export type {
  CallLogSummary,
  HookDeliveryFaults,
  HookDeliveryRecord,
  IngestionDelay,
  LogEvent,
  OAuthServiceApp,
  OktaAdminAction,
  OktaScenario,
  OktaSimulator,
  OktaSimulatorControl,
  OktaSimulatorOptions,
  OktaSimulatorState,
  OktaStoryStep,
  RateLimitSettings,
  ScimPushOptions,
  ScimPushRecord,
  StoryResult,
} from './okta-simulator.js';
export {
  demoOktaScenario,
  demoOktaStory,
  generateOktaScenario,
  loadOktaScenario,
} from './okta-scenario.js';
export type { GenerateOktaScenarioOptions, ResolvedOktaScenario } from './okta-scenario.js';
export { oktaScimIssuer } from './scim-push.js';
