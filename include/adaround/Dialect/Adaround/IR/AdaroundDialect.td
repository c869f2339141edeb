#ifndef ADAROUND_DIALECT_TD
#define ADAROUND_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Adaround_Dialect : Dialect {
  let name = "adaround";
  let summary = "AdaRound adaptive-rounding fake quantization";
  let description = [{
    The `adaround` dialect carries the result of AdaRound training (Nagel et
    al. 2020, "Up or Down? Adaptive Rounding for Post-Training Quantization")
    into the compiler: the learned rounding logits `V` and the quantization
    parameters travel as attributes of `adaround.fake_quant`, so that passes can
    lower soft and hard rounding to code, or bake the hard rounding decisions
    into integer weight constants.
  }];
  let cppNamespace = "::mlir::adaround";
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let useDefaultAttributePrinterParser = 1;
}

class Adaround_Op<string mnemonic, list<Trait> traits = []>
    : Op<Adaround_Dialect, mnemonic, traits>;

#endif // ADAROUND_DIALECT_TD
