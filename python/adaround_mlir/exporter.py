"""torch.fx graph -> one func.func on tensors in upstream MLIR dialects.

Layouts are PyTorch's (NCHW activations, [out, in] and [F, C, KH, KW]
weights). Weights are `dense_resource` blobs named after their parameter's
qualified name (`layers.0.weight`); a weight with a fake quantizer becomes
`adaround.fake_quant` on that constant. Anything the exporter does not know
stops it with an ExportError naming the node and its source line; nothing is
written then.
"""
import math
import operator
import re

import numpy as np
import torch
import torch.fx
import torch.nn.functional as F
from torch.fx.passes.shape_prop import ShapeProp

from .quantizers import ExportError, is_adaround_quantizer, quant_spec


def is_quantizer(m):
    return is_adaround_quantizer(m) or isinstance(
        m, torch.ao.quantization.FakeQuantizeBase)


def tensor_type(shape):
    return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"


def affine_map(rank, results):
    dims = ", ".join(f"d{i}" for i in range(rank))
    return f"affine_map<({dims}) -> ({', '.join(results)})>"


def identity_map(rank):
    return affine_map(rank, [f"d{i}" for i in range(rank)])


def blob_key(name):
    """A resource key (bare identifier) for a qualified parameter name."""
    key = re.sub(r"[^A-Za-z0-9_.$]", "_", name)
    return key if re.match(r"[A-Za-z_]", key) else "_" + key


def hex_blob(array):
    """A builtin resource blob: alignment (4, little endian) then the data."""
    data = np.ascontiguousarray(array, dtype=np.float32).tobytes()
    return "0x04000000" + data.hex().upper()


class Emitter:
    """Accumulates the body of the function, its constants and blobs."""

    def __init__(self):
        self.lines = []
        self.blobs = {}
        self.counter = 0

    def fresh(self, stem="v"):
        self.counter += 1
        return f"%{stem}{self.counter}"

    def op(self, text, stem="v"):
        name = self.fresh(stem)
        self.lines.append(f"    {name} = {text}")
        return name

    def constant(self, key, array):
        array = np.asarray(array, dtype=np.float32)
        key = blob_key(key)
        base, n = key, 1
        while key in self.blobs:
            n += 1
            key = f"{base}_{n}"
        self.blobs[key] = hex_blob(array)
        return self.op(f"arith.constant dense_resource<{key}> : "
                       f"{tensor_type(array.shape)}", "cst")

    def scalar(self, value):
        value = np.float32(value)
        # Infinities have no decimal literal: their bits do.
        literal = (repr(float(value)) if np.isfinite(value) else
                   "0x" + value.view(np.uint32).tobytes()[::-1].hex().upper())
        return self.op(f"arith.constant {literal} : f32", "c")

    def filled(self, shape, value):
        init = self.op(f"tensor.empty() : {tensor_type(shape)}", "e")
        v = self.scalar(value)
        return self.op(f"linalg.fill ins({v} : f32) outs({init} : "
                       f"{tensor_type(shape)}) -> {tensor_type(shape)}", "f")

    def elementwise(self, inputs, shapes, out_shape, body):
        """A linalg.generic over `out_shape`; `inputs` broadcast by their
        maps (given as result lists); `body(args)` returns lines and the
        yielded value."""
        rank = len(out_shape)
        init = self.op(f"tensor.empty() : {tensor_type(out_shape)}", "e")
        maps = [affine_map(rank, s) for s in shapes] + [identity_map(rank)]
        args = [f"%a{i}" for i in range(len(inputs))]
        lines, result = body(args)
        ins = ", ".join(inputs)
        in_types = ", ".join(
            tensor_type(self.shape_of_map(s, out_shape)) for s in shapes)
        block = ", ".join(f"{a}: f32" for a in args) + ", %out: f32"
        body_text = "\n".join(f"      {l}" for l in lines)
        iterators = ", ".join(['"parallel"'] * rank)
        return self.op(
            f"linalg.generic {{indexing_maps = [{', '.join(maps)}], "
            f"iterator_types = [{iterators}]}} "
            f"ins({ins} : {in_types}) outs({init} : {tensor_type(out_shape)}) "
            f"{{\n    ^bb0({block}):\n{body_text}\n      linalg.yield {result} "
            f": f32\n    }} -> {tensor_type(out_shape)}", "g")

    @staticmethod
    def shape_of_map(results, out_shape):
        return [out_shape[int(r[1:])] for r in results]


class Exporter:
    def __init__(self, model, example_inputs):
        self.model = model
        self.example_inputs = example_inputs
        self.e = Emitter()
        self.values = {}      # fx node -> SSA name
        self.shapes = {}      # fx node -> static shape
        self.modules = dict(model.named_modules())

    # -- entry --------------------------------------------------------------
    def run(self):
        class Tracer(torch.fx.Tracer):
            # Fake quantizers stay whole: their call is the weight's.
            def is_leaf_module(self, m, qualified_name):
                return is_quantizer(m) or super().is_leaf_module(
                    m, qualified_name)

        try:
            graph = torch.fx.GraphModule(self.model,
                                         Tracer().trace(self.model))
        except Exception as error:  # tracing errors carry their own reason
            raise ExportError(f"torch.fx cannot trace the model: {error}")
        try:
            ShapeProp(graph).propagate(*self.example_inputs)
        except Exception as error:
            raise ExportError("the model fails on the example inputs: "
                              f"{error}")
        self.plan_batch_norm_folding(graph)
        args = []
        result = None
        for node in graph.graph.nodes:
            meta = node.meta.get("tensor_meta")
            if meta is not None and hasattr(meta, "shape"):
                self.shapes[node] = tuple(meta.shape)
            if node.op == "placeholder":
                if meta is None or meta.dtype != torch.float32:
                    raise self.error(node, "inputs must be f32 tensors")
                name = f"%arg{len(args)}"
                args.append(f"{name}: {tensor_type(self.shapes[node])}")
                self.values[node] = name
            elif node.op == "output":
                result = node.args[0]
                if not isinstance(result, torch.fx.Node):
                    raise self.error(node, "the model must return one tensor")
            else:
                self.values[node] = self.lower(node)
        out_type = tensor_type(self.shapes[result])
        body = "\n".join(self.e.lines)
        text = (f"func.func @forward({', '.join(args)}) -> {out_type} {{\n"
                f"{body}\n    return {self.values[result]} : {out_type}\n}}\n")
        if self.e.blobs:
            entries = ",\n".join(f"      {k}: \"{v}\""
                                 for k, v in self.e.blobs.items())
            text += ("\n{-#\n  dialect_resources: {\n    builtin: {\n" +
                     entries + "\n    }\n  }\n#-}\n")
        return text

    def error(self, node, message):
        trace = node.meta.get("stack_trace") or ""
        lines = [l.strip() for l in trace.strip().splitlines()
                 if l.strip().startswith("File")]
        where = f" ({lines[-1]})" if lines else ""
        target = getattr(node.target, "__name__", node.target)
        return ExportError(f"node '{node.name}' ({node.op} {target}): "
                           f"{message}{where}")

    # -- dispatch -----------------------------------------------------------
    def lower(self, node):
        if node.op == "get_attr":
            return self.get_attr(node)
        if node.op == "call_module":
            module = self.modules[node.target]
            return self.module(node, module)
        if node.op == "call_function":
            return self.function(node, node.target)
        if node.op == "call_method":
            return self.method(node, node.target)
        raise self.error(node, "unsupported node")

    def arg(self, node, i, name=None, default=None):
        if i < len(node.args):
            return node.args[i]
        return node.kwargs.get(name, default)

    def attr(self, target):
        value = self.model
        for part in target.split("."):
            value = getattr(value, part)
        return value

    def get_attr(self, node):
        if all(user.op == "call_module" and is_quantizer(
                self.modules[user.target]) for user in node.users):
            return None  # emitted, quantized, by its users
        value = self.attr(node.target)
        if not isinstance(value, torch.Tensor):
            raise self.error(node, "only tensor attributes are exported")
        return self.e.constant(node.target, value.detach().float().numpy())

    def module(self, node, m):
        x = node.args[0]
        if isinstance(m, torch.nn.Linear):
            return self.linear(node, x, self.weight(node, m, node.target),
                               m.bias, node.target)
        if isinstance(m, torch.nn.Conv2d):
            if m.padding_mode != "zeros":
                raise self.error(node, f"padding_mode '{m.padding_mode}' is "
                                 "not exported")
            weight, bias = m.weight, m.bias
            if node in self.folded_bn:
                # BatchNorm2d (eval) folded into a float convolution.
                scale, shift = self.folded_bn[node]
                weight = (weight * scale.reshape(-1, 1, 1, 1)).detach()
                bias = ((bias if bias is not None else
                         torch.zeros_like(shift)) * scale + shift).detach()
                w = self.e.constant(f"{node.target}.weight_bn_folded", weight)
            else:
                w = self.weight(node, m, node.target)
            return self.conv(node, x, w, tuple(m.weight.shape), bias,
                             m.stride, m.padding, m.dilation, m.groups,
                             node.target)
        if isinstance(m, torch.nn.ReLU):
            return self.relu(node, x)
        if isinstance(m, torch.nn.ReLU6):
            return self.clamp(node, x, 0.0, 6.0)
        if isinstance(m, torch.nn.Flatten):
            return self.flatten(node, x)
        if isinstance(m, torch.nn.MaxPool2d):
            return self.pool(node, x, "max", m.kernel_size, m.stride,
                             m.padding, m.dilation, m.ceil_mode)
        if isinstance(m, torch.nn.AvgPool2d):
            if not m.count_include_pad and m.padding not in (0, (0, 0)):
                raise self.error(node, "count_include_pad=False with padding "
                                 "is not exported")
            if m.divisor_override is not None:
                raise self.error(node, "divisor_override is not exported")
            return self.pool(node, x, "avg", m.kernel_size, m.stride,
                             m.padding, 1, m.ceil_mode)
        if isinstance(m, torch.nn.AdaptiveAvgPool2d):
            return self.adaptive_avg(node, x, m.output_size)
        if isinstance(m, torch.nn.BatchNorm2d):
            if node in self.bn_passthrough:
                return self.values[x]
            return self.batch_norm(node, x, m)
        if isinstance(m, (torch.nn.Identity, torch.nn.Dropout)):
            if isinstance(m, torch.nn.Dropout) and m.training:
                raise self.error(node, "Dropout is exported in eval mode only "
                                 "(call model.eval())")
            return self.values[x]
        if is_quantizer(m):
            # A quantizer applied to a parameter in forward.
            if x.op != "get_attr":
                raise self.error(node, "fake quantizers are exported on "
                                 "parameters only, not on activations")
            return self.quantized(node, x.target, self.attr(x.target), m)
        raise self.error(node, f"module {type(m).__name__} is not supported")

    def function(self, node, f):
        a = node.args
        if f in (F.relu, torch.relu):
            return self.relu(node, a[0])
        if f is F.relu6:
            return self.clamp(node, a[0], 0.0, 6.0)
        if f is F.hardtanh:
            return self.clamp(node, a[0], float(self.arg(node, 1, "min_val",
                                                         -1.0)),
                              float(self.arg(node, 2, "max_val", 1.0)))
        if f in (operator.add, torch.add):
            if len(a) > 2 or node.kwargs:
                raise self.error(node, "add with alpha is not exported")
            return self.add(node, a[0], a[1])
        if f is torch.flatten:
            return self.flatten(node, a[0], self.arg(node, 1, "start_dim", 0),
                                self.arg(node, 2, "end_dim", -1))
        if f is torch.reshape:
            return self.reshape(node, a[0])
        if f is F.linear:
            weight = self.values[self.arg(node, 1, "weight")]
            bias = self.arg(node, 2, "bias")
            return self.linear(node, a[0], weight, bias, None)
        if f is F.dropout:
            if self.arg(node, 2, "training", True):
                raise self.error(node, "F.dropout with training=True is not "
                                 "exported")
            return self.values[a[0]]
        if f is F.conv2d:
            weight = self.arg(node, 1, "weight")
            return self.conv(node, a[0], self.values[weight],
                             self.shapes[weight], self.arg(node, 2, "bias"),
                             self.arg(node, 3, "stride", 1),
                             self.arg(node, 4, "padding", 0),
                             self.arg(node, 5, "dilation", 1),
                             self.arg(node, 6, "groups", 1), None)
        if f is F.max_pool2d:
            return self.pool(node, a[0], "max", self.arg(node, 1, "kernel_size"),
                             self.arg(node, 2, "stride"),
                             self.arg(node, 3, "padding", 0),
                             self.arg(node, 4, "dilation", 1),
                             self.arg(node, 5, "ceil_mode", False))
        if f is F.avg_pool2d:
            if (not self.arg(node, 5, "count_include_pad", True) or
                    self.arg(node, 6, "divisor_override") is not None):
                raise self.error(node, "count_include_pad=False and "
                                 "divisor_override are not exported")
            return self.pool(node, a[0], "avg", self.arg(node, 1, "kernel_size"),
                             self.arg(node, 2, "stride"),
                             self.arg(node, 3, "padding", 0), 1,
                             self.arg(node, 4, "ceil_mode", False))
        if f is torch.mean:
            return self.spatial_mean(node, a[0], self.arg(node, 1, "dim"))
        if f is F.adaptive_avg_pool2d:
            return self.adaptive_avg(node, a[0], self.arg(node, 1,
                                                          "output_size"))
        if f is operator.getitem and node.args[0].op == "call_method":
            return None  # x.size()[i]: resolved where it is used
        name = getattr(f, "__name__", str(f))
        raise self.error(node, f"function {name} is not supported")

    def method(self, node, name):
        if name in ("view", "reshape"):
            return self.reshape(node, node.args[0])
        if name == "flatten":
            return self.flatten(node, node.args[0],
                                self.arg(node, 1, "start_dim", 0),
                                self.arg(node, 2, "end_dim", -1))
        if name == "relu":
            return self.relu(node, node.args[0])
        if name == "mean":
            return self.spatial_mean(node, node.args[0],
                                     self.arg(node, 1, "dim"))
        if name == "size":
            return None  # static shapes: sizes are known, used by reshape
        if name == "add":
            return self.add(node, node.args[0], node.args[1])
        raise self.error(node, f"method {name} is not supported")

    # -- weights ------------------------------------------------------------
    def quantizer_of(self, m):
        for attr in ("weight_fake_quant", "adaround"):
            q = getattr(m, attr, None)
            if q is not None:
                return q
        return None

    def weight(self, node, m, path):
        """The SSA value of `m.weight` as the module's forward sees it."""
        return self.quantized(node, f"{path}.weight", m.weight,
                              self.quantizer_of(m))

    def quantized(self, node, name, weight, q):
        """The constant `name` as quantizer `q` (or None) hands it on."""
        w = weight.detach().float().numpy()
        constant = self.e.constant(name, w)
        if q is None or not bool(getattr(q, "fake_quant_enabled",
                                         torch.ones(1))[0]):
            return constant
        spec = quant_spec(q, w.shape, f"{name} quantizer")
        t = tensor_type(w.shape)
        if not is_adaround_quantizer(q):
            # Round to nearest: the compiler may learn V for it.
            qtype = f" qtype({spec.qtype()})" if spec else ""
            return self.e.op(f"adaround.fake_quant {constant}{qtype} : {t}",
                             "w")
        v = q.V.detach().float().numpy()
        if v.shape != w.shape:
            raise self.error(node, f"quantizer V has shape {v.shape}, the "
                             f"weight {w.shape}")
        if not np.all(np.isfinite(v)):
            raise self.error(node, "quantizer V has non-finite values")
        key = blob_key(f"{name}.adaround_v")
        self.e.blobs[key] = hex_blob(v)
        rounding = "" if q.use_soft_rounding else " rounding(<hard>)"
        return self.e.op(f"adaround.fake_quant {constant}{rounding} "
                         f"qtype({spec.qtype()}) v(dense_resource<{key}> : "
                         f"{t}) : {t}", "w")

    # -- layers -------------------------------------------------------------
    def linear(self, node, x, weight, bias, path):
        """y = x W^T + b, for x of any rank (the last dimension is in)."""
        in_shape = self.shapes[x]
        out_features = self.shapes[node][-1]
        k = in_shape[-1]
        rows = int(np.prod(in_shape[:-1]))
        xv = self.values[x]
        if len(in_shape) != 2:
            xv = self.reshape_value(xv, in_shape, (rows, k))
        wt = self.e.op(f"tensor.empty() : {tensor_type((k, out_features))}",
                       "e")
        wt = self.e.op(f"linalg.transpose ins({weight} : "
                       f"{tensor_type((out_features, k))}) outs({wt} : "
                       f"{tensor_type((k, out_features))}) permutation = "
                       "[1, 0]", "wt")
        acc = self.e.filled((rows, out_features), 0.0)
        y = self.e.op(f"linalg.matmul ins({xv}, {wt} : "
                      f"{tensor_type((rows, k))}, "
                      f"{tensor_type((k, out_features))}) outs({acc} : "
                      f"{tensor_type((rows, out_features))}) -> "
                      f"{tensor_type((rows, out_features))}", "mm")
        y = self.bias(y, (rows, out_features), 1, bias, path)
        if len(in_shape) != 2:
            y = self.reshape_value(y, (rows, out_features), self.shapes[node])
        return y

    def bias(self, y, shape, axis, bias, path):
        if bias is None:
            return y
        if isinstance(bias, torch.fx.Node):
            b = self.values[bias]
        else:
            b = self.e.constant(f"{path}.bias", bias.detach().float().numpy())
        return self.e.elementwise(
            [y, b], [[f"d{i}" for i in range(len(shape))], [f"d{axis}"]],
            shape, lambda a: ([f"%s = arith.addf {a[0]}, {a[1]} : f32"],
                              "%s"))

    def conv(self, node, x, weight, wshape, bias, stride, padding, dilation,
             groups, path):
        """A 2-D convolution in NCHW; `weight` is the SSA value of the
        [F, C/groups, KH, KW] filter."""
        pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
        stride, dilation = pair(stride), pair(dilation)
        if padding == "valid":
            padding = 0
        elif padding == "same":
            # torch pads the odd extra row/column at the bottom/right.
            totals = [d * (k - 1) for d, k in zip(dilation, wshape[2:])]
            padding = tuple((t // 2, t - t // 2) for t in totals)
        elif isinstance(padding, str):
            raise self.error(node, f"padding='{padding}' is not exported")
        else:
            padding = pair(padding)
        in_shape = self.shapes[x]
        out_shape = self.shapes[node]
        n, c = in_shape[:2]
        f, _, kh, kw = wshape
        g = groups
        xv, padded = self.pad(x, padding, 0.0)
        attrs = (f"{{dilations = dense<[{dilation[0]}, {dilation[1]}]> : "
                 f"tensor<2xi64>, strides = dense<[{stride[0]}, "
                 f"{stride[1]}]> : tensor<2xi64>}}")
        if g == 1:
            acc = self.e.filled(out_shape, 0.0)
            y = self.e.op(f"linalg.conv_2d_nchw_fchw {attrs} ins({xv}, "
                          f"{weight} : {tensor_type(padded)}, "
                          f"{tensor_type(wshape)}) outs({acc} : "
                          f"{tensor_type(out_shape)}) -> "
                          f"{tensor_type(out_shape)}", "conv")
        elif g == c and f == c:
            dw = self.e.op(f"tensor.collapse_shape {weight} [[0, 1], [2], [3]]"
                           f" : {tensor_type(wshape)} into "
                           f"{tensor_type((c, kh, kw))}", "dw")
            acc = self.e.filled(out_shape, 0.0)
            y = self.e.op(f"linalg.depthwise_conv_2d_nchw_chw {attrs} "
                          f"ins({xv}, {dw} : {tensor_type(padded)}, "
                          f"{tensor_type((c, kh, kw))}) outs({acc} : "
                          f"{tensor_type(out_shape)}) -> "
                          f"{tensor_type(out_shape)}", "conv")
        else:
            gx = (n, g, c // g) + tuple(padded[2:])
            gw = (g, f // g, c // g, kh, kw)
            go = (n, g, f // g) + tuple(out_shape[2:])
            xg = self.e.op(f"tensor.expand_shape {xv} [[0], [1, 2], [3], [4]]"
                           f" output_shape {list(gx)} : {tensor_type(padded)}"
                           f" into {tensor_type(gx)}", "xg")
            wg = self.e.op(f"tensor.expand_shape {weight} [[0, 1], [2], [3], "
                           f"[4]] output_shape {list(gw)} : "
                           f"{tensor_type(wshape)} into {tensor_type(gw)}",
                           "wg")
            acc = self.e.filled(go, 0.0)
            yg = self.e.op(f"linalg.conv_2d_ngchw_gfchw {attrs} ins({xg}, "
                           f"{wg} : {tensor_type(gx)}, {tensor_type(gw)}) "
                           f"outs({acc} : {tensor_type(go)}) -> "
                           f"{tensor_type(go)}", "conv")
            y = self.e.op(f"tensor.collapse_shape {yg} [[0], [1, 2], [3], [4]]"
                          f" : {tensor_type(go)} into "
                          f"{tensor_type(out_shape)}", "conv")
        return self.bias(y, out_shape, 1, bias, path)

    def pad(self, x, padding, value):
        """`x` (NCHW) padded by `padding`: an int, (h, w), or
        ((top, bottom), (left, right))."""
        shape = self.shapes[x]
        if isinstance(padding, int):
            padding = (padding, padding)
        (top, bottom), (left, right) = (
            p if isinstance(p, tuple) else (p, p) for p in padding)
        if top == bottom == left == right == 0:
            return self.values[x], shape
        padded = (shape[0], shape[1], shape[2] + top + bottom,
                  shape[3] + left + right)
        v = self.e.scalar(value)
        y = self.e.op(f"tensor.pad {self.values[x]} low[0, 0, {top}, {left}] "
                      f"high[0, 0, {bottom}, {right}] {{\n    ^bb0(%i0: index, "
                      f"%i1: index, %i2: index, %i3: index):\n      "
                      f"tensor.yield {v} : f32\n    }} : {tensor_type(shape)}"
                      f" to {tensor_type(padded)}", "pad")
        return y, padded

    def pool(self, node, x, kind, kernel, stride, padding, dilation,
             ceil_mode):
        if ceil_mode:
            raise self.error(node, "ceil_mode=True is not exported")
        pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
        kernel = pair(kernel)
        stride = pair(stride if stride not in (None, []) else kernel)
        return self.pooled(x, kind, kernel, stride, padding, pair(dilation),
                           self.shapes[node])

    def pooled(self, x, kind, kernel, stride, padding, dilation, out_shape):
        """Max or average pooling of NCHW `x`; the average divides the
        window's sum by its size, as torch does (counting padding)."""
        xv, padded = self.pad(x, padding, -math.inf if kind == "max" else 0.0)
        window = self.e.op(f"tensor.empty() : "
                           f"{tensor_type(kernel)}", "win")
        acc = self.e.filled(out_shape, -math.inf if kind == "max" else 0.0)
        op = "linalg.pooling_nchw_max" if kind == "max" else \
            "linalg.pooling_nchw_sum"
        y = self.e.op(f"{op} {{dilations = dense<[{dilation[0]}, "
                      f"{dilation[1]}]> : tensor<2xi64>, strides = "
                      f"dense<[{stride[0]}, {stride[1]}]> : tensor<2xi64>}} "
                      f"ins({xv}, {window} : {tensor_type(padded)}, "
                      f"{tensor_type(kernel)}) outs({acc} : "
                      f"{tensor_type(out_shape)}) -> {tensor_type(out_shape)}",
                      "pool")
        if kind == "max":
            return y
        count = self.e.scalar(float(kernel[0] * kernel[1]))
        ids = [f"d{i}" for i in range(len(out_shape))]
        return self.e.elementwise(
            [y], [ids], out_shape,
            lambda a: ([f"%s = arith.divf {a[0]}, {count} : f32"], "%s"))

    def adaptive_avg(self, node, x, output_size):
        if output_size not in (1, (1, 1), [1, 1]):
            raise self.error(node, f"adaptive average pooling to "
                             f"{output_size} is not exported (only 1)")
        n, c, h, w = self.shapes[x]
        return self.pooled(x, "avg", (h, w), (1, 1), 0, (1, 1), (n, c, 1, 1))

    def spatial_mean(self, node, x, dims):
        """x.mean((2, 3)) of an NCHW tensor (global average pooling), with
        or without keepdim."""
        rank = len(self.shapes[x])
        dims = sorted(d % rank for d in ((dims,) if isinstance(dims, int)
                                         else (dims or ())))
        if rank != 4 or dims != [2, 3]:
            raise self.error(node, "mean is exported over the spatial "
                             "dimensions (2, 3) of an NCHW tensor only")
        y = self.adaptive_avg(node, x, 1)
        return self.reshape_value(y, self.shapes[x][:2] + (1, 1),
                                  self.shapes[node])

    def batch_norm(self, node, x, m):
        if m.training:
            raise self.error(node, "BatchNorm2d is exported in eval mode only "
                             "(call model.eval())")
        scale, shift = self.batch_norm_affine(node, m)
        # y = x * scale + shift per channel: exact for quantized convs, whose
        # weights must stay what their quantizer computes.
        shape = self.shapes[node]
        s = self.e.constant(f"{node.target}.scale",
                            scale.detach().float().numpy())
        b = self.e.constant(f"{node.target}.shift",
                            shift.detach().float().numpy())
        shape = self.shapes[node]
        return self.e.elementwise(
            [self.values[x], s, b],
            [["d0", "d1", "d2", "d3"], ["d1"], ["d1"]], shape,
            lambda a: ([f"%m = arith.mulf {a[0]}, {a[1]} : f32",
                        f"%s = arith.addf %m, {a[2]} : f32"], "%s"))

    def batch_norm_affine(self, node, m):
        """BatchNorm2d in eval mode as y = x * scale + shift per channel."""
        if m.training:
            raise self.error(node, "BatchNorm2d is exported in eval mode only "
                             "(call model.eval())")
        inv = 1.0 / torch.sqrt(m.running_var + m.eps)
        scale = (m.weight if m.affine else torch.ones_like(inv)) * inv
        shift = (m.bias if m.affine else torch.zeros_like(inv)) - \
            m.running_mean * scale
        return scale.detach(), shift.detach()

    def plan_batch_norm_folding(self, graph):
        """BatchNorm2d nodes that directly follow a float Conv2d used only
        by them are folded into it (a quantized convolution keeps its
        weights as its quantizer computes them, and the normalisation as an
        elementwise op after it)."""
        self.folded_bn, self.bn_passthrough = {}, set()
        for node in graph.graph.nodes:
            if node.op != "call_module" or not isinstance(
                    self.modules[node.target], torch.nn.BatchNorm2d):
                continue
            producer = node.args[0]
            if (producer.op != "call_module" or len(producer.users) != 1 or
                    not isinstance(self.modules[producer.target],
                                   torch.nn.Conv2d) or
                    self.quantizer_of(self.modules[producer.target])):
                continue
            self.folded_bn[producer] = self.batch_norm_affine(
                node, self.modules[node.target])
            self.bn_passthrough.add(node)

    def relu(self, node, x):
        shape = self.shapes[node]
        zero = self.e.scalar(0.0)
        return self.e.elementwise(
            [self.values[x]], [[f"d{i}" for i in range(len(shape))]], shape,
            lambda a: ([f"%s = arith.maximumf {a[0]}, {zero} : f32"], "%s"))

    def clamp(self, node, x, lo, hi):
        shape = self.shapes[node]
        low, high = self.e.scalar(lo), self.e.scalar(hi)
        return self.e.elementwise(
            [self.values[x]], [[f"d{i}" for i in range(len(shape))]], shape,
            lambda a: ([f"%m = arith.maximumf {a[0]}, {low} : f32",
                        f"%s = arith.minimumf %m, {high} : f32"], "%s"))

    def add(self, node, a, b):
        if not (isinstance(a, torch.fx.Node) and isinstance(b, torch.fx.Node)):
            raise self.error(node, "add of a tensor and a number is not "
                             "exported")
        if self.shapes[a] != self.shapes[b]:
            raise self.error(node, f"add of shapes {self.shapes[a]} and "
                             f"{self.shapes[b]} (broadcasting) is not "
                             "exported")
        shape = self.shapes[node]
        ids = [f"d{i}" for i in range(len(shape))]
        return self.e.elementwise(
            [self.values[a], self.values[b]], [ids, ids], shape,
            lambda v: ([f"%s = arith.addf {v[0]}, {v[1]} : f32"], "%s"))

    def flatten(self, node, x, start=1, end=-1):
        return self.reshape_value(self.values[x], self.shapes[x],
                                  self.shapes[node])

    def reshape(self, node, x):
        return self.reshape_value(self.values[x], self.shapes[x],
                                  self.shapes[node])

    def reshape_value(self, value, from_shape, to_shape):
        """Any static reshape: collapse to one dimension, expand to the
        target."""
        from_shape, to_shape = tuple(from_shape), tuple(to_shape)
        if from_shape == to_shape:
            return value
        n = int(np.prod(from_shape))
        flat = value
        if len(from_shape) != 1:
            dims = ", ".join(str(i) for i in range(len(from_shape)))
            flat = self.e.op(f"tensor.collapse_shape {value} [[{dims}]] : "
                             f"{tensor_type(from_shape)} into "
                             f"{tensor_type((n,))}", "flat")
        if len(to_shape) == 1:
            return flat
        dims = ", ".join(str(i) for i in range(len(to_shape)))
        return self.e.op(f"tensor.expand_shape {flat} [[{dims}]] output_shape "
                         f"{list(to_shape)} : {tensor_type((n,))} into "
                         f"{tensor_type(to_shape)}", "shaped")
