export {
  startAwsSimulator,
  defaultAwsCredentials,
  type AwsSimulator,
  type AwsSimulatorOptions,
} from './aws-simulator.js';
export type {
  AwsSimulatorControl,
  AwsStateDump,
  AssignmentRef,
  AssignmentRequestRecord,
} from './aws-control.js';
export type { CallLogEntry, CallLogSnapshot } from './call-log.js';
export {
  loadAwsScenario,
  demoAwsScenario,
  awsScenarioSchema,
  type AwsScenario,
  type ScenarioAccount,
  type ScenarioAssignment,
  type ScenarioGroup,
  type ScenarioPermissionSet,
  type ScenarioUser,
} from './aws-scenario.js';
export { generateAwsScenario, type AwsScenarioSize } from './generate-aws-scenario.js';
export type {
  BehaviourSettings,
  FaultSettings,
  OperationFaults,
  QuotaSettings,
  Principal,
} from './sim-runtime.js';
export { assignmentRows } from './assignment-rows.js';
