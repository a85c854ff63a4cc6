// Element types. Models run in float32; float64 exists so that finite-difference gradient
// checks can be done in double precision (central differences lose half the digits).

export type DType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;

export function allocate(dtype: DType, size: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/** The result dtype of an op on several inputs: float64 if any input is float64. */
export function promote(a: DType, b: DType): DType {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}
