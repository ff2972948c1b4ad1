// compiled_module: starts the Emscripten factory (createKpilens) from a WebAssembly.Module that is already
// compiled, instead of from the wasm bytes. A compiled module can be posted to other workers (Node
// worker_threads, the page's Web Workers) and V8 shares its machine code, including the functions it
// has already optimised: a worker that reads a part of a file then neither compiles the module again nor
// runs the part on baseline code while the optimising compiler catches up (docs/architecture.md,
// "Parallel reading").

/** Resolves to the factory's module instantiated from `compiled` (a WebAssembly.Module). */
export function instantiateCompiled(factory, compiled) {
  return new Promise((resolve, reject) => {
    factory({
      instantiateWasm(imports, receiveInstance) {
        WebAssembly.instantiate(compiled, imports).then((instance) => receiveInstance(instance, compiled), reject);
        return {}; // the exports come later, through receiveInstance
      },
    }).then(resolve, reject);
  });
}
