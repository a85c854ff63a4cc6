// Element types of the flat arrays kernels work on. Models run in float32; float64 exists so that
// finite-difference gradient checks can be done in double precision. Kernels need only these
// types, so they are defined here, and the tensor layer re-exports them with its helpers.

export type DType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;
