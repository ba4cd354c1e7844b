// Route option for large responses that our own mapping functions build in the documented shape: it
// skips re-validating every word through zod on the way out (about 450 ms for a three-hour transcript)
// and serialises directly. The response schema still documents the route in OpenAPI.
export const trustedResponse = {
  serializerCompiler: () => (data: unknown) => JSON.stringify(data),
};
