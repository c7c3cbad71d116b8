export { entityServiceConformance } from './conformance.ts';
export type { ConformanceOptions, EntityServiceCapabilities, EntityServiceFixture } from './context.ts';
export { prototypeAttackBodies, prototypeFindings } from './prototype-findings.ts';
