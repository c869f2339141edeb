//===- DeviceConstants.cpp - Large constants reach the GPU as data --------===//
//
// Before kernel outlining, kernels reading a large constant global are given
// the external global `__adaround_device.<name>` instead (the name of its
// device copy); after the host is lowered to LLVM, each address of that name
// becomes a runtime call returning a device copy of the host constant, made
// once. Outlining never sees the data, so it never becomes PTX text, and the
// host object holds it exactly once.
//
//===----------------------------------------------------------------------===//

#include "KernelUses.h"
#include "adaround/Codegen/Passes.h"
#include "adaround/Support/CheckedOptions.h"

#include "mlir/Interfaces/DataLayoutInterfaces.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDCONSTANTSTODEVICE
#define GEN_PASS_DEF_ADAROUNDRESOLVEDEVICECONSTANTS
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;
using mlir::adaround::insideParallelLoop;
using mlir::adaround::usedInParallelLoop;

namespace {

constexpr StringLiteral kHostConstantAttr = "adaround.host_constant";
constexpr StringLiteral kDeviceConstantFunction = "adaroundDeviceConstant";
constexpr StringLiteral kReleaseFunction = "adaroundReleaseDeviceConstant";
constexpr StringLiteral kReleaseAllFunction =
    "__adaround_release_device_constants";

/// Makes the parallel loops that use `host` (directly or through views made
/// outside them) use `device` instead; host code keeps `host`.
void redirectKernelUses(OpBuilder &builder, Value host, Value device) {
  for (OpOperand &use : llvm::make_early_inc_range(host.getUses())) {
    Operation *user = use.getOwner();
    if (insideParallelLoop(user)) {
      use.set(device);
      continue;
    }
    auto view = dyn_cast<ViewLikeOpInterface>(user);
    if (!view || view.getViewSource() != host ||
        !llvm::any_of(user->getResults(), usedInParallelLoop))
      continue;
    builder.setInsertionPointAfter(user);
    IRMapping mapping;
    mapping.map(host, device);
    Operation *deviceView = builder.clone(*user, mapping);
    for (auto [hostResult, deviceResult] :
         llvm::zip(user->getResults(), deviceView->getResults()))
      redirectKernelUses(builder, hostResult, deviceResult);
    if (user->use_empty())
      user->erase();
  }
}

/// The size in bytes of a constant global with data, or std::nullopt for any
/// other global.
std::optional<uint64_t> constantBytes(memref::GlobalOp global) {
  if (!global.getConstant() || global.isExternal() || global.isUninitialized())
    return std::nullopt;
  MemRefType type = global.getType();
  uint64_t elementBytes =
      DataLayout::closest(global).getTypeSize(type.getElementType());
  return elementBytes * static_cast<uint64_t>(type.getNumElements());
}

struct ConstantsToDevicePass
    : adaround::impl::AdaroundConstantsToDeviceBase<ConstantsToDevicePass> {
  using Base::Base;

  std::optional<std::string> optionError() {
    return adaround::checkOptionAtLeast(getArgument(), "max-inline-bytes",
                                        maxInlineBytes, 0);
  }
  ADAROUND_CHECKED_OPTIONS

  void runOnOperation() override {
    if (reportedOptionError())
      return signalPassFailure();
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<memref::GetGlobalOp> reads;
    for (func::FuncOp func : module.getOps<func::FuncOp>())
      func.walk([&](memref::GetGlobalOp read) {
        if (!insideParallelLoop(read) && usedInParallelLoop(read))
          reads.push_back(read);
      });

    OpBuilder builder(module.getContext());
    llvm::DenseMap<Operation *, memref::GlobalOp> deviceGlobals;
    for (memref::GetGlobalOp read : reads) {
      auto global = symbols.lookup<memref::GlobalOp>(read.getName());
      std::optional<uint64_t> bytes =
          global ? constantBytes(global) : std::nullopt;
      if (!bytes || *bytes <= static_cast<uint64_t>(maxInlineBytes))
        continue;
      memref::GlobalOp &device = deviceGlobals[global];
      if (!device) {
        std::string name = (adaround::kDeviceConstantPrefix + read.getName()).str();
        if (symbols.lookup(name)) {
          module.emitError() << "adaround-constants-to-device: symbol '"
                             << name << "' is taken; it names the device "
                             << "copy of '" << read.getName() << "'";
          return signalPassFailure();
        }
        builder.setInsertionPointAfter(global);
        device = memref::GlobalOp::create(
            builder, global.getLoc(), name,
            /*sym_visibility=*/builder.getStringAttr("public"),
            global.getType(), /*initial_value=*/Attribute(),
            /*constant=*/false, /*alignment=*/IntegerAttr());
        // A symbol use of the host global: symbol-dce keeps it.
        device->setAttr(kHostConstantAttr,
                        FlatSymbolRefAttr::get(global.getSymNameAttr()));
        symbols.insert(device);
      }
      builder.setInsertionPointAfter(read);
      Value deviceRead = memref::GetGlobalOp::create(
          builder, read.getLoc(), read.getType(), device.getSymName());
      redirectKernelUses(builder, read, deviceRead);
      if (read.use_empty())
        read.erase();
    }
  }
};

/// Declares `name` with `type` in `module` unless it is there already.
LLVM::LLVMFuncOp declareFunction(OpBuilder &builder, ModuleOp module,
                                 StringRef name, LLVM::LLVMFunctionType type) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(module.getBody());
  return LLVM::LLVMFuncOp::create(builder, module.getLoc(), name, type);
}

/// Adds `function` to the module's global destructors.
void addGlobalDestructor(OpBuilder &builder, ModuleOp module,
                         LLVM::LLVMFuncOp function) {
  MLIRContext *context = module.getContext();
  SmallVector<Attribute> dtors, priorities, data;
  auto existing = llvm::to_vector(module.getOps<LLVM::GlobalDtorsOp>());
  if (!existing.empty()) {
    llvm::append_range(dtors, existing.front().getDtors());
    llvm::append_range(priorities, existing.front().getPriorities());
    llvm::append_range(data, existing.front().getData());
    existing.front().erase();
  }
  dtors.push_back(FlatSymbolRefAttr::get(function));
  priorities.push_back(builder.getI32IntegerAttr(0));
  data.push_back(LLVM::ZeroAttr::get(context));
  builder.setInsertionPointToEnd(module.getBody());
  LLVM::GlobalDtorsOp::create(builder, module.getLoc(),
                              builder.getArrayAttr(dtors),
                              builder.getArrayAttr(priorities),
                              builder.getArrayAttr(data));
}

struct ResolveDeviceConstantsPass
    : adaround::impl::AdaroundResolveDeviceConstantsBase<
          ResolveDeviceConstantsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = module.getContext();
    OpBuilder builder(context);
    auto pointer = LLVM::LLVMPointerType::get(context);
    auto i64 = builder.getI64Type();
    SymbolTable symbols(module);

    SmallVector<LLVM::GlobalOp> hosts;
    LLVM::LLVMFuncOp copyFunction;
    for (auto device :
         llvm::make_early_inc_range(module.getOps<LLVM::GlobalOp>())) {
      StringRef hostName = device.getSymName();
      if (!hostName.consume_front(adaround::kDeviceConstantPrefix))
        continue;
      auto host = symbols.lookup<LLVM::GlobalOp>(hostName);
      if (!host || !host.getConstant() ||
          (!host.getValueOrNull() && host.getInitializerRegion().empty())) {
        device.emitError() << "adaround-resolve-device-constants: '"
                           << device.getSymName()
                           << "' names the device copy of '" << hostName
                           << "', which is not a constant global with data";
        return signalPassFailure();
      }
      if (device.getGlobalType() != host.getGlobalType()) {
        device.emitError() << "adaround-resolve-device-constants: '"
                           << device.getSymName() << "' has type "
                           << device.getGlobalType() << " but '" << hostName
                           << "' has type " << host.getGlobalType();
        return signalPassFailure();
      }
      std::optional<SymbolTable::UseRange> uses =
          SymbolTable::getSymbolUses(device, module);
      for (const SymbolTable::SymbolUse &use : *uses)
        if (!isa<LLVM::AddressOfOp>(use.getUser())) {
          use.getUser()->emitError()
              << "adaround-resolve-device-constants: '" << device.getSymName()
              << "' may only be used by llvm.mlir.addressof";
          return signalPassFailure();
        }
      if (!copyFunction)
        copyFunction = declareFunction(
            builder, module, kDeviceConstantFunction,
            LLVM::LLVMFunctionType::get(pointer, {pointer, i64}));
      uint64_t bytes =
          DataLayout::closest(host).getTypeSize(host.getGlobalType());
      for (const SymbolTable::SymbolUse &use : *uses) {
        auto address = cast<LLVM::AddressOfOp>(use.getUser());
        builder.setInsertionPoint(address);
        Location loc = address.getLoc();
        Value hostAddress = LLVM::AddressOfOp::create(builder, loc, host);
        Value size = LLVM::ConstantOp::create(builder, loc, i64, bytes);
        Value copy = LLVM::CallOp::create(builder, loc, copyFunction,
                                          ValueRange{hostAddress, size})
                         .getResult();
        address.replaceAllUsesWith(copy);
        address.erase();
      }
      device.erase();
      hosts.push_back(host);
    }
    if (hosts.empty())
      return;

    // One destructor frees this module's copies when it is unloaded.
    LLVM::LLVMFuncOp release = declareFunction(
        builder, module, kReleaseFunction,
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                    {pointer}));
    if (symbols.lookup(kReleaseAllFunction)) {
      module.emitError() << "adaround-resolve-device-constants: symbol '"
                         << kReleaseAllFunction << "' is taken";
      return signalPassFailure();
    }
    builder.setInsertionPointToEnd(module.getBody());
    auto releaseAll = LLVM::LLVMFuncOp::create(
        builder, module.getLoc(), kReleaseAllFunction,
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context), {}),
        LLVM::Linkage::Internal);
    builder.setInsertionPointToStart(releaseAll.addEntryBlock(builder));
    for (LLVM::GlobalOp host : hosts) {
      Value address = LLVM::AddressOfOp::create(builder, module.getLoc(), host);
      LLVM::CallOp::create(builder, module.getLoc(), release,
                           ValueRange{address});
    }
    LLVM::ReturnOp::create(builder, module.getLoc(), ValueRange());
    addGlobalDestructor(builder, module, releaseAll);
  }
};

} // namespace
