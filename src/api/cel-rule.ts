/** One CEL rule for `x-kubernetes-validations`; `message` is shown by the apiserver after the field path. */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  /** Path, relative to the node carrying the rule, that the apiserver reports instead of the node itself. */
  readonly fieldPath?: string;
  readonly reason?: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueForbidden' | 'FieldValueDuplicate';
}
