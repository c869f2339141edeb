//===- Learn.cpp - --adaround-learn: AdaRound's optimisation of V ---------===//
//
// 1. Read and check everything (options, entry, data, ops); any error leaves
//    the module untouched.
// 2. In a copy of the module, lowered to generic linalg, find each weight's
//    layer and see it as a matrix product (LayerAnalysis).
// 3. Run copies of the model in process on the calibration data, with the
//    layers' inputs sent to capture buffers; from them, the inputs' second
//    moments.
// 4. Learn each layer's V (Optimizer), in data-flow order with quantized
//    inputs, and write the learned V into the ops.
//
//===----------------------------------------------------------------------===//

#include "LayerAnalysis.h"

#include "adaround/Dialect/Adaround/IR/QuantGrid.h"
#include "adaround/Learn/Npy.h"
#include "adaround/Learn/Optimizer.h"
#include "adaround/Learn/Passes.h"
#include "adaround/Pipelines/Pipelines.h"
#include "adaround/Support/CheckedOptions.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Threading.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/TargetSelect.h"

#include <chrono>
#include <cstring>
#include <mutex>

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDLEARN
#include "adaround/Learn/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;
using namespace mlir::adaround;

namespace {

/// Marks, in copies of the module, which fake_quant (by walk order) and
/// which layer op belong to which candidate.
constexpr StringLiteral kOpIdAttr = "adaround.learn_op";
constexpr StringLiteral kLayerIdAttr = "adaround.learn_layer";
constexpr StringLiteral kCapturePrefix = "__adaround_capture_";

/// A layer input collected over a run: one copy of the input tensor per
/// time the layer ran, one after the other.
struct Capture {
  int64_t rank = 0;
  int64_t elements = 0;
  std::vector<float> values;
};

/// Called by the compiled model with a memref descriptor: {allocated,
/// aligned, offset, sizes[rank], strides[rank]}, 8 bytes each.
void captureLayerInput(int64_t sink, const int64_t *descriptor) {
  Capture &capture = *reinterpret_cast<Capture *>(sink);
  const float *aligned;
  std::memcpy(&aligned, descriptor + 1, sizeof(aligned));
  int64_t offset = descriptor[2];
  const int64_t *sizes = descriptor + 3;
  const int64_t *strides = descriptor + 3 + capture.rank;
  size_t start = capture.values.size();
  capture.values.resize(start + capture.elements);
  SmallVector<int64_t> index(capture.rank, 0);
  for (int64_t i = 0; i < capture.elements; ++i) {
    int64_t at = offset;
    for (int64_t d = 0; d < capture.rank; ++d)
      at += index[d] * strides[d];
    capture.values[start + i] = aligned[at];
    for (int64_t d = capture.rank - 1; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
}

/// A memref descriptor of a static row-major buffer, as the C interface of
/// the compiled entry function takes it.
SmallVector<int64_t> describe(const float *data, ArrayRef<int64_t> shape) {
  SmallVector<int64_t> descriptor(3 + 2 * shape.size(), 0);
  std::memcpy(&descriptor[0], &data, sizeof(data));
  std::memcpy(&descriptor[1], &data, sizeof(data));
  int64_t stride = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    descriptor[3 + d] = shape[d];
    descriptor[3 + shape.size() + d] = stride;
    stride *= shape[d];
  }
  return descriptor;
}

/// One weight to learn.
struct Candidate {
  adaround::FakeQuantOp op;      // in the module
  int64_t id = 0;                // walk index of `op`
  learn::LayerGeometry geometry; // in the analysis copy
  int64_t depth = 0;             // layers to learn on its input's path
  std::vector<float> initialV;   // the op's V, row-major
  learn::Layer layer;
  learn::Result result;
  double seconds = 0;
};

struct LearnPass : adaround::impl::AdaroundLearnBase<LearnPass> {
  using Base::Base;
  LearnPass() = default;
  // The working state below is per run: a copy takes only the options.
  LearnPass(const LearnPass &other) : Base(other) {}

  std::optional<std::string> optionError() {
    auto bad = [](StringRef option, const Twine &expected, const Twine &got) {
      return ("adaround-learn: option '" + option + "' must be " + expected +
              ", got " + got)
          .str();
    };
    if (inputs != "float" && inputs != "quantized")
      return bad("inputs", "float or quantized", "'" + inputs + "'");
    if (std::optional<std::string> error = checkOptionRange(
            "adaround-learn", "iters", iterations, 1, 1000000))
      return error;
    auto finite = [](double x) { return std::isfinite(x); };
    auto text = [](double x) { return llvm::formatv("{0}", x).str(); };
    if (!finite(learningRate) || learningRate <= 0)
      return bad("lr", "positive", text(learningRate));
    if (!finite(lambda) || lambda < 0)
      return bad("lambda", "non-negative", text(lambda));
    if (!finite(betaEnd) || betaEnd <= 0)
      return bad("beta-end", "positive", text(betaEnd));
    if (!finite(betaStart) || betaStart < betaEnd)
      return bad("beta-start", "at least beta-end", text(betaStart));
    if (!finite(warmup) || warmup < 0 || warmup >= 1)
      return bad("warmup", "in [0, 1)", text(warmup));
    return std::nullopt;
  }

  ADAROUND_CHECKED_OPTIONS

  void runOnOperation() override {
    if (reportedOptionError() || failed(learnAll()))
      signalPassFailure();
  }

private:
  func::FuncOp entryFunction;
  SmallVector<learn::NpyArray> arrays;
  int64_t batch = 0, chunks = 0;
  OwningOpRef<ModuleOp> analysis;
  std::vector<Candidate> candidates;
  std::mutex progressMutex;

  /// An error about the model or its data, at the entry function once known.
  InFlightDiagnostic error() {
    return emitError(entryFunction ? entryFunction.getLoc()
                                   : getOperation().getLoc())
           << "adaround-learn: ";
  }

  LogicalResult findEntry();
  LogicalResult readData();
  LogicalResult collectCandidates();
  LogicalResult runModel(ArrayRef<Candidate *> capture,
                         const DenseSet<int64_t> &quantized,
                         SmallVectorImpl<Capture> &captures);
  void computeMoments(Candidate &c, const Capture &floatInputs,
                      const Capture *quantizedInputs);
  void learnLayers(ArrayRef<Candidate *> layers);
  LogicalResult learnAll();
};

LogicalResult LearnPass::findEntry() {
  ModuleOp module = getOperation();
  if (!entry.empty()) {
    entryFunction = module.lookupSymbol<func::FuncOp>(entry);
    if (!entryFunction || entryFunction.isExternal())
      return error() << "option 'entry': no function '" << entry
                     << "' with a body in the module";
  } else {
    SmallVector<func::FuncOp> publics;
    for (auto f : module.getOps<func::FuncOp>())
      if (f.isPublic() && !f.isExternal())
        publics.push_back(f);
    if (publics.size() != 1) {
      InFlightDiagnostic diag = error();
      diag << "the module has " << publics.size()
           << " public functions; name the one to run with 'entry'";
      if (!publics.empty())
        diag << " (one of: "
             << llvm::join(llvm::map_range(publics,
                                           [](func::FuncOp f) {
                                             return f.getSymName();
                                           }),
                           ", ")
             << ")";
      return diag;
    }
    entryFunction = publics.front();
  }
  if (!SymbolTable::symbolKnownUseEmpty(entryFunction, module))
    return error() << "function '" << entryFunction.getSymName()
                   << "' is called within the module; name the outermost "
                      "function with 'entry'";
  for (auto [i, type] : llvm::enumerate(entryFunction.getArgumentTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape() || tensor.getRank() == 0 ||
        !tensor.getElementType().isF32() || tensor.getDimSize(0) == 0)
      return error() << "argument " << i << " of '"
                     << entryFunction.getSymName() << "' is " << type
                     << "; calibration data feeds static f32 tensors with a "
                        "leading batch dimension";
  }
  return success();
}

LogicalResult LearnPass::readData() {
  SmallVector<StringRef> paths;
  StringRef(data).split(paths, ',', -1, /*KeepEmpty=*/false);
  unsigned numArgs = entryFunction.getNumArguments();
  if (paths.size() != numArgs)
    return error() << "option 'data' names " << paths.size()
                   << " .npy files but '" << entryFunction.getSymName()
                   << "' takes " << numArgs << " arguments";
  batch = numArgs ? cast<RankedTensorType>(entryFunction.getArgumentTypes()[0])
                        .getDimSize(0)
                  : 1;
  int64_t vectors = -1;
  for (auto [i, path] : llvm::enumerate(paths)) {
    path = path.trim();
    learn::NpyArray array;
    std::string why;
    if (!learn::readNpy(path, array, why))
      return error() << "data file '" << path << "' " << why;
    auto type = cast<RankedTensorType>(entryFunction.getArgumentTypes()[i]);
    ArrayRef<int64_t> expected = type.getShape().drop_front();
    if (array.shape.size() != expected.size() + 1 ||
        ArrayRef<int64_t>(array.shape).drop_front() != expected) {
      std::string want = llvm::join(
          llvm::map_range(expected, [](int64_t d) { return std::to_string(d); }),
          ", ");
      return error() << "data file '" << path << "' has shape ("
                     << llvm::join(llvm::map_range(array.shape,
                                                   [](int64_t d) {
                                                     return std::to_string(d);
                                                   }),
                                   ", ")
                     << ") but argument " << i << " (" << type
                     << ") needs (N" << (want.empty() ? "" : ", ") << want
                     << ")";
    }
    if (array.shape[0] == 0)
      return error() << "data file '" << path << "' has no calibration vectors";
    if (type.getDimSize(0) != batch)
      return error() << "the arguments of '" << entryFunction.getSymName()
                     << "' have different batch sizes";
    if (vectors >= 0 && array.shape[0] != vectors)
      return error() << "data file '" << path << "' has " << array.shape[0]
                     << " vectors, the first file " << vectors;
    vectors = array.shape[0];
    if (!array.convertedFrom.empty())
      emitRemark(entryFunction.getLoc())
          << "adaround-learn: data file '" << path << "' converted from dtype '"
          << array.convertedFrom << "' to f32";
    arrays.push_back(std::move(array));
  }
  if (numArgs == 0)
    return error() << "'" << entryFunction.getSymName()
                   << "' takes no arguments: nothing to feed data to";
  if (vectors < batch)
    return error() << "the data has " << vectors << " vectors, fewer than the "
                   << "model's batch size " << batch;
  chunks = vectors / batch;
  if (vectors % batch)
    emitRemark(entryFunction.getLoc())
        << "adaround-learn: the last " << vectors % batch << " of " << vectors
        << " vectors do not fill a batch of " << batch << " and are dropped";
  return success();
}

LogicalResult LearnPass::collectCandidates() {
  ModuleOp module = getOperation();
  SmallVector<adaround::FakeQuantOp> ops;
  module.walk([&](adaround::FakeQuantOp op) { ops.push_back(op); });

  // The analysis copy: the same ops, tagged, in generic linalg form.
  analysis = module.clone();
  int64_t next = 0;
  Builder b(&getContext());
  analysis->walk([&](adaround::FakeQuantOp op) {
    op->setAttr(kOpIdAttr, b.getI64IntegerAttr(next++));
  });
  PassManager pm(&getContext(), ModuleOp::getOperationName());
  std::string errors;
  llvm::raw_string_ostream stream(errors);
  if (failed(parsePassPipeline("tosa-to-linalg-pipeline,"
                               "func.func(linalg-generalize-named-ops)",
                               pm, stream)) ||
      failed(pm.run(*analysis)))
    return error() << "cannot bring the model to linalg form " << errors;
  DenseMap<int64_t, adaround::FakeQuantOp> analysed;
  analysis->walk([&](adaround::FakeQuantOp op) {
    if (auto id = op->getAttrOfType<IntegerAttr>(kOpIdAttr))
      analysed[id.getInt()] = op;
  });

  for (int64_t id = 0, e = ops.size(); id < e; ++id) {
    adaround::FakeQuantOp op = ops[id];
    auto leaveAlone = [&](const Twine &why) {
      if (verbose)
        op.emitRemark("adaround-learn: left alone: ") << why;
    };
    SmallVector<float> storage;
    std::optional<ArrayRef<float>> weight =
        getConstantF32Values(op.getInput(), storage);
    if (!weight) {
      leaveAlone("its input is not an f32 constant");
      continue;
    }
    auto it = analysed.find(id);
    if (it == analysed.end()) {
      leaveAlone("it did not survive lowering to linalg");
      continue;
    }
    std::string whyNot;
    FailureOr<learn::LayerGeometry> geometry =
        learn::analyzeLayer(it->second.getResult(), whyNot);
    if (failed(geometry)) {
      leaveAlone(whyNot);
      continue;
    }
    if (const float *bad = llvm::find_if(
            *weight, [](float x) { return !std::isfinite(x); });
        bad != weight->end())
      return op.emitOpError("cannot be learned: weight element ")
             << (bad - weight->begin()) << " is " << *bad;
    FailureOr<QuantGrid> grid = op.getQuantGrid();
    if (failed(grid))
      return failure();
    SmallVector<float> vStorage;
    std::optional<ArrayRef<float>> v = getF32Values(*op.getV(), vStorage);
    if (!v)
      return op.emitOpError("cannot be learned: the values of 'v' are "
                            "unavailable (an elided resource?)");

    Candidate &c = candidates.emplace_back();
    c.op = op;
    c.id = id;
    c.geometry = std::move(*geometry);
    c.geometry.layer->setAttr(kLayerIdAttr, b.getI64IntegerAttr(id));
    c.initialV.assign(v->begin(), v->end());

    // The layer in matrix form, parameters per element.
    auto type = cast<RankedTensorType>(op.getInput().getType());
    std::vector<int64_t> blockOf(weight->size());
    forEachElement(&getContext(), *grid, type.getShape(), weight->size(),
                   [&](int64_t, int64_t i, int64_t block) { blockOf[i] = block; });
    int64_t rows = c.geometry.rows, columns = c.geometry.columns;
    learn::Layer &layer = c.layer;
    for (learn::Matrix *m : {&layer.weight, &layer.scale, &layer.zeroPoint,
                             &layer.qmin, &layer.qmax, &layer.logits})
      m->resize(rows, columns);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < columns; ++k) {
        int64_t i = c.geometry.weightIndex[r * columns + k];
        int64_t block = blockOf[i];
        layer.weight(r, k) = (*weight)[i];
        layer.logits(r, k) = (*v)[i];
        layer.scale(r, k) = grid->scales[block];
        layer.zeroPoint(r, k) = static_cast<float>(grid->zeroPoints[block]);
        layer.qmin(r, k) = static_cast<float>(grid->qmin);
        layer.qmax(r, k) = static_cast<float>(grid->qmax);
      }
    layer.zeta = op.getZeta().convertToFloat();
    layer.gamma = op.getGamma().convertToFloat();
    layer.rowGroup = c.geometry.rowGroup;
  }

  // Depth: the most candidate layers on any path into a layer's input.
  DenseMap<Operation *, Candidate *> byLayer;
  for (Candidate &c : candidates)
    byLayer[c.geometry.layer] = &c;
  for (Candidate &c : candidates) {
    SetVector<Operation *> slice;
    BackwardSliceOptions options;
    options.omitUsesFromAbove = false;
    (void)getBackwardSlice(
        c.geometry.layer->getOperand(c.geometry.inputOperand), &slice, options);
    for (Operation *op : slice)
      if (Candidate *upstream = byLayer.lookup(op))
        c.depth = std::max(c.depth, upstream->depth + 1);
  }
  return success();
}

LogicalResult LearnPass::runModel(ArrayRef<Candidate *> capture,
                                  const DenseSet<int64_t> &quantized,
                                  SmallVectorImpl<Capture> &captures) {
  MLIRContext *ctx = &getContext();
  OwningOpRef<ModuleOp> model = analysis->clone();
  OpBuilder b(ctx);

  // Weights: learned ones hard-quantized with their learned V, those still
  // to learn float; other ops stay as they are.
  DenseMap<int64_t, Candidate *> byId;
  for (Candidate &c : candidates)
    byId[c.id] = &c;
  model->walk([&](adaround::FakeQuantOp op) {
    auto id = op->getAttrOfType<IntegerAttr>(kOpIdAttr);
    Candidate *c = id ? byId.lookup(id.getInt()) : nullptr;
    if (!c)
      return;
    if (!quantized.contains(c->id)) {
      op.getResult().replaceAllUsesWith(op.getInput());
      op.erase();
      return;
    }
    std::vector<float> v = c->initialV;
    for (int64_t i = 0; i < c->result.logits.size(); ++i)
      v[c->geometry.weightIndex[i]] = c->result.logits.data()[i];
    auto type = cast<ShapedType>(op.getInput().getType());
    op.setVAttr(DenseElementsAttr::get(type, ArrayRef<float>(v)));
    op.setRounding(adaround::RoundingMode::hard);
  });

  // Each captured layer input goes to a function the JIT binds to
  // captureLayerInput, with the address of its Capture.
  captures.clear();
  captures.resize(capture.size());
  b.setInsertionPointToStart(model->getBody());
  DenseMap<int64_t, int64_t> slot;
  for (auto [i, c] : llvm::enumerate(capture))
    slot[c->id] = i;
  model->walk([&](linalg::GenericOp layer) {
    auto id = layer->getAttrOfType<IntegerAttr>(kLayerIdAttr);
    if (!id || !slot.count(id.getInt()))
      return;
    int64_t i = slot[id.getInt()];
    Value input = layer->getOperand(capture[i]->geometry.inputOperand);
    auto type = cast<RankedTensorType>(input.getType());
    captures[i].rank = type.getRank();
    captures[i].elements = type.getNumElements();
    std::string name = (kCapturePrefix + Twine(i)).str();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(model->getBody());
    auto callee = func::FuncOp::create(
        b, layer.getLoc(), name, b.getFunctionType({b.getI64Type(), type}, {}));
    callee.setPrivate();
    callee->setAttr("llvm.emit_c_interface", b.getUnitAttr());
    b.setInsertionPoint(layer);
    Value sink = arith::ConstantOp::create(
        b, layer.getLoc(),
        b.getI64IntegerAttr(reinterpret_cast<intptr_t>(&captures[i])));
    func::CallOp::create(b, layer.getLoc(), callee, ValueRange{sink, input});
  });

  // The entry function returns nothing: only the captures are wanted.
  auto main = model->lookupSymbol<func::FuncOp>(entryFunction.getSymName());
  main->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  main.walk([](func::ReturnOp ret) { ret->setOperands({}); });
  main.setType(b.getFunctionType(main.getArgumentTypes(), {}));

  PassManager pm(ctx, ModuleOp::getOperationName());
  std::string errors;
  llvm::raw_string_ostream stream(errors);
  if (failed(buildCPUPipeline(pm, CPUPipelineOptions(), stream)) ||
      failed(pm.run(*model)))
    return error() << "cannot compile the model to collect layer inputs "
                   << errors;

  static std::once_flag nativeTarget;
  std::call_once(nativeTarget, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  registerBuiltinDialectTranslation(*ctx);
  registerLLVMDialectTranslation(*ctx);
  ExecutionEngineOptions options;
  auto transformer = makeOptimizingTransformer(2, 0, nullptr);
  options.transformer = transformer;
  SmallVector<StringRef> libraries;
  if (llvm::sys::fs::exists(ADAROUND_C_RUNNER_UTILS))
    libraries.push_back(ADAROUND_C_RUNNER_UTILS);
  options.sharedLibPaths = libraries;
  auto engine = ExecutionEngine::create(*model, options);
  if (!engine)
    return error() << "cannot JIT-compile the model: "
                   << llvm::toString(engine.takeError());
  (*engine)->registerSymbols([&](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    for (size_t i = 0; i < capture.size(); ++i)
      symbols[interner(("_mlir_ciface_" + kCapturePrefix + Twine(i)).str())] = {
          llvm::orc::ExecutorAddr::fromPtr(&captureLayerInput),
          llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  (*engine)->initialize();

  std::string function = ("_mlir_ciface_" + entryFunction.getSymName()).str();
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    SmallVector<SmallVector<int64_t>> descriptors;
    for (auto [array, type] :
         llvm::zip(arrays, entryFunction.getArgumentTypes())) {
      auto tensor = cast<RankedTensorType>(type);
      descriptors.push_back(describe(
          array.values.data() + chunk * tensor.getNumElements(),
          tensor.getShape()));
    }
    SmallVector<void *> pointers, args;
    for (auto &descriptor : descriptors)
      pointers.push_back(descriptor.data());
    for (void *&pointer : pointers)
      args.push_back(&pointer);
    if (llvm::Error failure = (*engine)->invokePacked(function, args))
      return error() << "cannot run '" << entryFunction.getSymName()
                     << "': " << llvm::toString(std::move(failure));
  }
  return success();
}

/// E[a b'] over the im2col rows of one input group, a and b two captures of
/// the same layer input (the same capture for E[x x']).
learn::Matrix secondMoment(const learn::LayerGeometry &g, int64_t group,
                           const Capture &a, const Capture &b) {
  int64_t positions = g.positionOffset.size();
  int64_t arrivals = a.values.size() / g.inputElements;
  bool symmetric = &a == &b;
  return learn::secondMoment(
      arrivals * positions, g.columns, symmetric,
      [&](int64_t row, float *rowA, float *rowB) {
        int64_t n = row / positions;
        int64_t base = n * g.inputElements + g.groupOffset[group] +
                       g.positionOffset[row % positions];
        for (int64_t k = 0; k < g.columns; ++k) {
          rowA[k] = a.values[base + g.columnOffset[k]];
          if (!symmetric)
            rowB[k] = b.values[base + g.columnOffset[k]];
        }
      });
}

void LearnPass::computeMoments(Candidate &c, const Capture &floatInputs,
                               const Capture *quantizedInputs) {
  const learn::LayerGeometry &g = c.geometry;
  c.layer.moments.resize(g.groupOffset.size());
  parallelFor(&getContext(), 0, g.groupOffset.size(), [&](size_t group) {
    learn::InputMoments &m = c.layer.moments[group];
    if (!quantizedInputs) {
      m.gram = secondMoment(g, group, floatInputs, floatInputs);
      return;
    }
    m.gram = secondMoment(g, group, *quantizedInputs, *quantizedInputs);
    m.cross = secondMoment(g, group, *quantizedInputs, floatInputs);
    m.floatGram = secondMoment(g, group, floatInputs, floatInputs);
  });
}

void LearnPass::learnLayers(ArrayRef<Candidate *> layers) {
  parallelFor(&getContext(), 0, layers.size(), [&](size_t i) {
    Candidate &c = *layers[i];
    int64_t index = &c - candidates.data() + 1;
    learn::Options options;
    options.iterations = iterations;
    options.learningRate = learningRate;
    options.lambda = lambda;
    options.betaStart = betaStart;
    options.betaEnd = betaEnd;
    options.warmup = warmup;
    if (!quiet)
      options.progress = [&, index](int64_t iteration, double loss) {
        std::lock_guard<std::mutex> lock(progressMutex);
        llvm::errs() << llvm::formatv(
            "adaround-learn: layer {0} of {1}, iteration {2}, loss {3:e}\n",
            index, candidates.size(), iteration, loss);
      };
    auto start = std::chrono::steady_clock::now();
    c.result = learn::learnRounding(c.layer, options);
    c.seconds = std::chrono::duration<double>(
                    std::chrono::steady_clock::now() - start)
                    .count();
  });
}

LogicalResult LearnPass::learnAll() {
  entryFunction = nullptr;
  arrays.clear();
  candidates.clear();
  bool anyOp = false;
  WalkResult uncalibrated = getOperation().walk([&](adaround::FakeQuantOp op) {
    anyOp = true;
    if (op.isCalibrated())
      return WalkResult::advance();
    op.emitOpError("is not calibrated (no 'v'): run --adaround-calibrate "
                   "before --adaround-learn");
    return WalkResult::interrupt();
  });
  if (uncalibrated.wasInterrupted())
    return failure();
  if (!anyOp) {
    emitWarning(getOperation().getLoc())
        << "adaround-learn: no adaround.fake_quant op to learn; run "
           "--adaround-calibrate=\"insert=1\" first";
    return success();
  }
  if (failed(findEntry()) ||
      failed(readData()) || failed(collectCandidates()))
    return failure();
  if (candidates.empty()) {
    emitWarning(entryFunction.getLoc())
        << "adaround-learn: no calibrated weight of a matmul or convolution "
           "to learn";
    return success();
  }

  SmallVector<Candidate *> all;
  for (Candidate &c : candidates)
    all.push_back(&c);
  SmallVector<Capture> floatCaptures;
  if (failed(runModel(all, {}, floatCaptures)))
    return failure();

  bool quantizedInputs = inputs == "quantized";
  int64_t maxDepth = 0;
  for (Candidate &c : candidates)
    maxDepth = std::max(maxDepth, quantizedInputs ? c.depth : 0);
  DenseSet<int64_t> learned;
  for (int64_t depth = 0; depth <= maxDepth; ++depth) {
    SmallVector<Candidate *> level;
    SmallVector<int64_t> floatSlot;
    for (auto [i, c] : llvm::enumerate(candidates))
      if (!quantizedInputs || c.depth == depth) {
        level.push_back(&c);
        floatSlot.push_back(i);
      }
    SmallVector<Capture> quantizedCaptures;
    if (depth > 0 && failed(runModel(level, learned, quantizedCaptures)))
      return failure();
    for (auto [i, c] : llvm::enumerate(level)) {
      const Capture &floats = floatCaptures[floatSlot[i]];
      if (depth > 0 && quantizedCaptures[i].values.size() != floats.values.size())
        return error() << "the layer of op " << c->id
                       << " ran a different number of times with quantized "
                          "weights";
      computeMoments(*c, floats, depth > 0 ? &quantizedCaptures[i] : nullptr);
    }
    learnLayers(level);
    for (Candidate *c : level)
      learned.insert(c->id);
  }

  // Everything learned: write V back, and report. The copies and the data
  // are no longer needed.
  analysis = nullptr;
  arrays.clear();
  for (auto [index, c] : llvm::enumerate(candidates)) {
    std::vector<float> v = c.initialV;
    for (int64_t i = 0; i < c.result.logits.size(); ++i)
      v[c.geometry.weightIndex[i]] = c.result.logits.data()[i];
    ElementsAttr old = *c.op.getV();
    c.op.setVAttr(makeElementsAttr(
        cast<ShapedType>(old.getType()), isa<DenseResourceElementsAttr>(old),
        "adaround_v", v.size() * sizeof(float),
        [&](MutableArrayRef<char> bytes) {
          std::memcpy(bytes.data(), v.data(), bytes.size());
        }));
    const learn::Result &r = c.result;
    if (verbose)
      c.op.emitRemark(llvm::formatv(
          "adaround-learn: layer {0} of {1} ({2} x {3}, {4} input groups, "
          "depth {5}): objective {6:e} -> {7:e}; reconstruction error "
          "nearest {8:e}, learned {9:e}; {10} of {11} decisions changed from "
          "nearest; {12} unsettled; {13} iterations in {14:f3} s",
          index + 1, candidates.size(), c.geometry.rows, c.geometry.columns,
          c.layer.moments.size(), c.depth, r.initialLoss, r.finalLoss,
          r.nearestError, r.learnedError, r.changed, r.logits.size(),
          r.unsettled, r.iterations, c.seconds));
    // A few roundings balanced between the two levels are normal.
    if (r.unsettled * 100 > r.logits.size())
      c.op.emitWarning("adaround-learn: ")
          << r.unsettled << " of " << r.logits.size()
          << " soft roundings did not settle near 0 or 1 (raise 'lambda' or "
             "'iters')";
  }
  return success();
}

} // namespace
