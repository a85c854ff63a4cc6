// Reference solution of temperature (chapter 8, section "The strategies").

/** z / T, a new row (the input is left as it was). */
export function applyTemperature(logits: Float64Array, t: number): Float64Array {
  return logits.map((z) => z / t);
}
