/** Authorization decisions: the resource a permission is checked on, the outcome and the rules that led to it. */

/** A resource a permission is checked on: `agent:<id>`, `skill:<id>`, `project:<id>`, `task:<id>` … (`id` null: the kind as a whole). */
export interface ResourceRef {
  readonly type: string;
  readonly id: string | null;
}

/** The outcome of one authorization check, with the rule that decided it (for denials and `explain`). */
export interface Decision {
  readonly allowed: boolean;
  /** Human-readable: why it was allowed or denied. */
  readonly reason: string;
  /** The deciding rule, e.g. `role:developer`, `grant`, `policy:<id>`, `default-deny`. */
  readonly rule: string;
  /** How the decision was reached, rule by rule (`explain`); absent from simple authorizers. */
  readonly steps?: readonly DecisionStep[];
  /** True when a resource policy allowed the caller by naming them (its allowed users or roles). */
  readonly namedByPolicy?: boolean;
}

/** One rule looked at while deciding: what it said and why. */
export interface DecisionStep {
  /** e.g. `role:viewer`, `default-deny`, `policies`, `denied-users`, `policy:<id>`. */
  readonly rule: string;
  /** `pass`: the rule did not decide; evaluation went on. */
  readonly outcome: 'allow' | 'deny' | 'pass';
  readonly detail: string;
}
