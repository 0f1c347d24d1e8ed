package org.umedsam.model.onnx;

import com.google.protobuf.ByteString;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An ONNX graph under construction (opset {@value #OPSET}, float32 tensors): inputs, outputs, initializers
 * and nodes, each value named uniquely, plus the few composite blocks both exported graphs use (linear
 * layer, exact GELU, LayerNorm over the last axis or the channel axis). Values are named strings; the
 * graph is written with ONNX's own protobuf schema ({@code onnx.proto}, compiled at build time).
 */
final class OnnxGraph {

    /** The default-domain opset the graphs use: LayerNormalization needs 17. */
    static final int OPSET = 17;
    /** IR version 8, the newest that ONNX 1.12's schema (and ONNX Runtime 1.12 onwards) reads. */
    static final long IR_VERSION = 8;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private int counter;

    OnnxGraph(String name) {
        graph.setName(name);
    }

    /** A float graph input; a dimension is a number, or a String naming a dynamic dimension. */
    void input(String name, Object... dims) {
        graph.addInput(valueInfo(name, dims));
    }

    /** Declares {@code value} as a graph output (float, dims as for {@link #input}). */
    void output(String value, Object... dims) {
        graph.addOutput(valueInfo(value, dims));
    }

    private static ValueInfoProto valueInfo(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String s) {
                dim.setDimParam(s);
            } else {
                dim.setDimValue(((Number) d).longValue());
            }
            shape.addDim(dim);
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    /** A float initializer of the given shape (row-major data); returns its name. */
    String floats(String name, float[] data, long... shape) {
        if (Arrays.stream(shape).reduce(1, Math::multiplyExact) != data.length) {
            throw new IllegalArgumentException(name + ": " + data.length + " values for shape " + Arrays.toString(shape));
        }
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return initializer(name, TensorProto.DataType.FLOAT_VALUE, ByteString.copyFrom(b.array()), shape);
    }

    /** A float scalar constant (rank 0). */
    String scalar(float v) {
        return floats(fresh("const"), new float[]{v});
    }

    /** An int64 vector constant (shapes, axes, split sizes). */
    String longs(long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return initializer(fresh("i64"), TensorProto.DataType.INT64_VALUE, ByteString.copyFrom(b.array()), values.length);
    }

    private String initializer(String name, int type, ByteString raw, long... shape) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type).setRawData(raw);
        for (long d : shape) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /** A fresh value name with a readable stem. */
    String fresh(String stem) {
        return stem + "_" + (counter++);
    }

    /** Adds a node with one output; attributes are name/value pairs (Long, Float, long[] or String values). */
    String op(String type, String[] inputs, Object... attributes) {
        return ops(type, inputs, 1, attributes)[0];
    }

    /** Adds a node with {@code outputs} outputs and returns their names. */
    String[] ops(String type, String[] inputs, int outputs, Object... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(type).setName(fresh(type));
        for (String in : inputs) {
            n.addInput(in);
        }
        String[] outs = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            outs[i] = fresh(type.toLowerCase(java.util.Locale.ROOT));
            n.addOutput(outs[i]);
        }
        for (int i = 0; i < attributes.length; i += 2) {
            n.addAttribute(attribute((String) attributes[i], attributes[i + 1]));
        }
        graph.addNode(n);
        return outs;
    }

    private static AttributeProto attribute(String name, Object v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (v instanceof Long l) {
            a.setType(AttributeProto.AttributeType.INT).setI(l);
        } else if (v instanceof Integer i) {
            a.setType(AttributeProto.AttributeType.INT).setI(i);
        } else if (v instanceof Float f) {
            a.setType(AttributeProto.AttributeType.FLOAT).setF(f);
        } else if (v instanceof long[] ls) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (long l : ls) {
                a.addInts(l);
            }
        } else {
            throw new IllegalArgumentException("attribute " + name + ": unsupported value " + v);
        }
        return a.build();
    }

    /** Gives {@code value} the name {@code name} through an Identity node (graph outputs get stable names). */
    String named(String value, String name) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType("Identity").setName(fresh("Identity"))
                .addInput(value).addOutput(name);
        graph.addNode(n);
        return name;
    }

    // ------------------------------------------------------------------ element-wise and shape helpers

    String add(String a, String b) {
        return op("Add", new String[]{a, b});
    }

    String mul(String a, String b) {
        return op("Mul", new String[]{a, b});
    }

    String matMul(String a, String b) {
        return op("MatMul", new String[]{a, b});
    }

    String relu(String x) {
        return op("Relu", new String[]{x});
    }

    String softmaxLast(String x) {
        return op("Softmax", new String[]{x}, "axis", -1L);
    }

    String transpose(String x, long... perm) {
        return op("Transpose", new String[]{x}, "perm", perm);
    }

    /** Reshape; 0 copies the input's dimension, -1 is inferred. */
    String reshape(String x, long... shape) {
        return op("Reshape", new String[]{x, longs(shape)});
    }

    /** Elements {@code [begin, end)} of {@code axis}. */
    String slice(String x, long axis, long begin, long end) {
        return op("Slice", new String[]{x, longs(begin), longs(end), longs(axis)});
    }

    /** PyTorch's exact {@code nn.GELU}: {@code 0.5 x (1 + erf(x / sqrt 2))}, in the form ONNX Runtime fuses. */
    String gelu(String x) {
        String erf = op("Erf", new String[]{op("Div", new String[]{x, scalar((float) Math.sqrt(2.0))})});
        return mul(mul(x, add(erf, scalar(1f))), scalar(0.5f));
    }

    /** PyTorch Linear on the last axis: {@code x W^T + b}, W {@code [out, in]} row-major. */
    String linear(String x, String name, float[] weight, float[] bias, int in, int out) {
        float[] wt = new float[in * out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                wt[i * out + o] = weight[o * in + i];
            }
        }
        String y = matMul(x, floats(name + ".weight_t", wt, in, out));
        return bias == null ? y : add(y, floats(name + ".bias", bias, out));
    }

    /** LayerNorm over the last axis ({@code nn.LayerNorm}). */
    String layerNorm(String x, String name, float[] weight, float[] bias, double eps) {
        return op("LayerNormalization", new String[]{x, floats(name + ".weight", weight, weight.length),
                floats(name + ".bias", bias, bias.length)}, "axis", -1L, "epsilon", (float) eps);
    }

    /** SAM's LayerNorm2d on NCHW: LayerNorm over the channel axis (via NHWC). */
    String layerNorm2d(String nchw, String name, float[] weight, float[] bias, double eps) {
        String nhwc = transpose(nchw, 0, 2, 3, 1);
        return transpose(layerNorm(nhwc, name, weight, bias, eps), 0, 3, 1, 2);
    }

    /** A convolution (bias may be null), square kernel, padding k/2 on every side. */
    String conv(String x, String name, float[] weight, float[] bias, int out, int inPerGroup, int k, int stride,
                int groups) {
        String w = floats(name + ".weight", weight, out, inPerGroup, k, k);
        String[] inputs = bias == null ? new String[]{x, w} : new String[]{x, w, floats(name + ".bias", bias, out)};
        long p = k / 2;
        return op("Conv", inputs, "kernel_shape", new long[]{k, k}, "strides", new long[]{stride, stride},
                "pads", new long[]{p, p, p, p}, "group", (long) groups);
    }

    /** The finished model: this graph, opset {@value #OPSET}, IR version {@value #IR_VERSION}. */
    ModelProto model(String docString) {
        return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("umedsam")
                .setDocString(docString)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph).build();
    }
}
