#ifndef ADAROUND_LEARN_PASSES_TD
#define ADAROUND_LEARN_PASSES_TD

include "mlir/Pass/PassBase.td"

def AdaroundLearn : Pass<"adaround-learn", "::mlir::ModuleOp"> {
  let summary = "Learn V by AdaRound's layer-wise optimisation on calibration data";
  let description = [{
    For every calibrated `adaround.fake_quant` of a constant that is the
    weight of a layer (a matmul, matvec, batch_matmul or convolution, reached
    directly or through transposes), learns its rounding logits `v` as Nagel
    et al. 2020 do, and writes them back into the same op (same `qtype`,
    same rounding mode), so that `--adaround-bake` and the lowerings use the
    learned decisions.

    **Layer inputs.** The model (the function `entry`, by default the
    module's only public function) is compiled with `--adaround-to-llvm` and
    run in process (MLIR's ExecutionEngine) on the calibration data: one
    `.npy` file per argument in `data` (comma-separated), shaped `[N]` plus
    the argument's shape without its leading batch dimension. The model runs
    in chunks of its batch size; a trailing partial chunk is dropped (a
    remark says how many vectors). f32 is used as is; f64, integer and bool
    arrays are converted (a remark says so). `inputs=float` feeds every layer
    the float model's activations; `inputs=quantized` (the default, the
    paper's recommendation) feeds each layer the activations of the model
    whose preceding layers are already quantized with their learned hard
    rounding, while the target stays the float layer's output. Layers are
    learned in data-flow order, those at the same depth in parallel.

    **Objective**, per layer, with `W~(V)` the soft fake quantization:

        E ||W x - W~(V) x^||^2 / E ||W x||^2 + lambda * mean(1 - |2 h(V) - 1|^beta)

    (pre-activation; a convolution in its im2col view). The reconstruction
    is normalised by the float output's energy, so one `lambda` fits layers
    of every scale. `beta` is off for the first `warmup` fraction of the
    `iters` iterations, then falls linearly from `beta-start` to `beta-end`.
    Adam (torch's defaults, learning rate `lr`) updates V only. The
    reconstruction term is computed exactly from the second moments of the
    layer inputs over all calibration vectors (K x K Gram matrices, K the
    reduction length), so a step costs rows x K x K whatever N is and has no
    mini-batch noise. A layer stops early once every `h` is within 1e-3 of
    0 or 1 (checked every 50 iterations after the warm-up).

    Any error (a bad file, an ambiguous entry, a model that does not
    compile) leaves the module untouched. Layers whose structure is not
    understood are left as they are, with a remark under `verbose`.
    `verbose` remarks on every layer: the objective before and after,
    the reconstruction error of nearest and of learned hard rounding, how
    many decisions changed, how many roundings did not settle. Progress goes
    to stderr unless `quiet`.
  }];
  let options = [
    Option<"data", "data", "std::string", "\"\"",
           "calibration data: one .npy file per entry argument, comma-separated">,
    Option<"entry", "entry", "std::string", "\"\"",
           "the function to run (default: the only public function)">,
    Option<"inputs", "inputs", "std::string", "\"quantized\"",
           "layer inputs: float, or quantized (preceding layers quantized)">,
    Option<"iterations", "iters", "int64_t", "2000",
           "Adam iterations per layer, 1 to 1000000">,
    Option<"learningRate", "lr", "double", "3e-2", "Adam's learning rate">,
    Option<"lambda", "lambda", "double", "1.0",
           "weight of the rounding regulariser">,
    Option<"betaStart", "beta-start", "double", "20",
           "regulariser exponent after the warm-up">,
    Option<"betaEnd", "beta-end", "double", "2",
           "regulariser exponent at the end">,
    Option<"warmup", "warmup", "double", "0.2",
           "fraction of the iterations without the regulariser">,
    Option<"verbose", "verbose", "bool", "false",
           "remark on every layer learned or left alone">,
    Option<"quiet", "quiet", "bool", "false", "no progress on stderr">,
  ];
  let dependentDialects = [
    "::mlir::adaround::AdaroundDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::func::FuncDialect",
  ];
}

#endif // ADAROUND_LEARN_PASSES_TD
