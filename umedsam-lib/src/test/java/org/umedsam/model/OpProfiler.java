package org.umedsam.model;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/** Wall time per op type between SameDiff's pre-execution and execution callbacks. */
final class OpProfiler extends BaseListener {
    private final Map<String, long[]> byType = new HashMap<>();
    private long start;

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
        start = System.nanoTime();
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext, INDArray[] outputs) {
        long dt = System.nanoTime() - start;
        long[] acc = byType.computeIfAbsent(op.getOp().opName(), k -> new long[2]);
        acc[0] += dt;
        acc[1]++;
    }

    void reset() {
        byType.clear();
    }

    /** Top op types by total time. */
    String report(int top) {
        long total = byType.values().stream().mapToLong(a -> a[0]).sum();
        StringBuilder sb = new StringBuilder(String.format("  total in ops %.3f s over %d op calls%n", total / 1e9,
                byType.values().stream().mapToLong(a -> a[1]).sum()));
        byType.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0])).limit(top)
                .forEach(e -> sb.append(String.format("  %-24s %8.3f s %5.1f%%  %5d calls%n", e.getKey(), e.getValue()[0] / 1e9,
                        100.0 * e.getValue()[0] / Math.max(1, total), e.getValue()[1])));
        return sb.toString();
    }
}
