/**
 * Set-up of the unit tests. Under `npm run test:mutants` (NEARIQ_MUTANT_RUN=1) a property that fails
 * stops at its first counterexample: the runner needs to know that a test fails, not the smallest
 * failing case, and shrinking a run of hundreds of requests took up to 4 minutes. Outside the
 * runner, fast-check shrinks as usual.
 */
import fc from "fast-check";

if (process.env.NEARIQ_MUTANT_RUN === "1") fc.configureGlobal({ ...fc.readConfigureGlobal(), endOnFailure: true });
