package org.umedsam.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.train.Checkpoint;

/** Every kind of weights file read by the one reader, {@link ModelFiles}. */
class ModelFilesTest {

    private static LiteMedSam source() {
        LiteMedSam a = LiteMedSam.create(ModelConfig.small(), 1L);
        a.parameters().get("mask_decoder.iou_token.weight").addi(0.5);
        a.buffers().values().stream().filter(b -> b.dataType().isFPType()).findFirst().orElseThrow().addi(0.25);
        return a;
    }

    private static void assertSameState(LiteMedSam want, LiteMedSam got, String what) {
        assertThat(got.config()).as(what).isEqualTo(want.config());
        Map<String, INDArray> g = got.stateDict();
        for (Map.Entry<String, INDArray> e : want.stateDict().entrySet()) {
            assertThat(g.get(e.getKey())).as(what + " " + e.getKey()).isEqualTo(e.getValue());
        }
    }

    private static Path checkpoint(LiteMedSam m, Path file) throws IOException {
        new Checkpoint(m.parameters(), m.buffers(), Map.of("adamw/exp_avg/x", Nd4j.ones(DataType.FLOAT, 2)),
                new double[]{0.0}, new Checkpoint.Meta(3, 0, 3, 1.0, 1.0, 0.0, Map.of(), "{}")).write(file);
        return file;
    }

    @Test
    void kindIsToldByTheExtension() {
        assertThat(ModelFiles.Kind.of(Path.of("a/lite_medsam.PTH"))).isEqualTo(ModelFiles.Kind.PTH);
        assertThat(ModelFiles.Kind.of(Path.of("m.pt"))).isEqualTo(ModelFiles.Kind.PTH);
        assertThat(ModelFiles.Kind.of(Path.of("runs/x/checkpoint/last.ckpt"))).isEqualTo(ModelFiles.Kind.CHECKPOINT);
        assertThat(ModelFiles.Kind.of(Path.of("model.npz"))).isEqualTo(ModelFiles.Kind.MODEL);
        assertThat(ModelFiles.Kind.of(Path.of("small-base"))).isEqualTo(ModelFiles.Kind.MODEL);
    }

    @Test
    void everyKindLoadsTheSameModel(@TempDir Path dir) throws IOException {
        LiteMedSam a = source();
        Path own = dir.resolve("model.npz");
        a.save(own);
        Path pth = dir.resolve("model.pth");
        a.exportPth(pth);
        Path ckpt = checkpoint(a, dir.resolve("last.ckpt"));

        assertSameState(a, ModelFiles.load(own), "model file");
        // a checkpoint records no shapes: the preset its weights fit is found
        assertSameState(a, ModelFiles.load(ckpt), "checkpoint");
        for (Path f : new Path[]{own, pth, ckpt}) {
            assertSameState(a, ModelFiles.load(f, ModelConfig.small()), f.toString());
            Map<String, INDArray> sd = ModelFiles.readStateDict(f, null);
            assertThat(sd.keySet()).as(f.toString()).containsExactlyInAnyOrderElementsOf(a.stateDict().keySet());
        }
        // the delegating entry points agree
        assertSameState(a, LiteMedSam.load(own), "LiteMedSam.load");
        assertSameState(a, LiteMedSam.fromPth(pth, ModelConfig.small()), "LiteMedSam.fromPth");
        // a .pth records no preset either: its shapes tell it (small-base.pth is a small preset's)
        assertSameState(a, ModelFiles.load(pth), "a small preset's .pth");
        assertSameState(a, LiteMedSam.fromPth(pth), "LiteMedSam.fromPth without a configuration");
        assertSameState(a, LiteMedSam.load(pth), "LiteMedSam.load of a .pth");
    }

    @Test
    void wrongFilesAreOneLineErrorsNamingTheFile(@TempDir Path dir) throws IOException {
        LiteMedSam a = source();
        Path own = dir.resolve("model.npz");
        a.save(own);
        // a model file of other shapes than the asked configuration
        assertThatThrownBy(() -> ModelFiles.load(own, ModelConfig.liteMedSam()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(own.toString());
        // a .pth told the other preset is refused before its tensors are materialised
        Path pth = dir.resolve("small.pth");
        a.exportPth(pth);
        assertThatThrownBy(() -> ModelFiles.load(pth, ModelConfig.liteMedSam())).hasMessageContaining(pth.toString());
        // a checkpoint whose weights fit no preset
        Map<String, INDArray> params = new LinkedHashMap<>(a.parameters());
        params.remove("mask_decoder.iou_token.weight");
        Path odd = dir.resolve("odd.ckpt");
        new Checkpoint(params, a.buffers(), Map.of(), new double[]{0.0},
                new Checkpoint.Meta(1, 0, 1, 1.0, 1.0, 0.0, Map.of(), "{}")).write(odd);
        assertThatThrownBy(() -> ModelFiles.load(odd)).isInstanceOf(IOException.class)
                .hasMessage(odd + ": its weights fit none of the model presets " + ModelConfig.NAMES);
        // an npz that is no model file
        Path ckptAsNpz = checkpoint(a, dir.resolve("renamed.npz"));
        assertThatThrownBy(() -> ModelFiles.load(ckptAsNpz)).isInstanceOf(IOException.class)
                .hasMessage(ckptAsNpz + ": no __config__ entry; not a umedsam model file");
        // a model file named .ckpt
        Path modelAsCkpt = dir.resolve("model.ckpt");
        a.save(modelAsCkpt);
        assertThatThrownBy(() -> ModelFiles.load(modelAsCkpt)).isInstanceOf(IOException.class)
                .hasMessageContaining(modelAsCkpt + ": no parameters/ or buffers/ entries");
        assertThatThrownBy(() -> ModelFiles.load(dir.resolve("absent.npz"))).isInstanceOf(IOException.class)
                .hasMessageContaining("absent.npz");
    }
}
