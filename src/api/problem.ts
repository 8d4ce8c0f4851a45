/** One thing wrong with an object: the field path as the apiserver writes it, and what is wrong. */
export interface Problem {
  readonly field: string;
  readonly message: string;
}
