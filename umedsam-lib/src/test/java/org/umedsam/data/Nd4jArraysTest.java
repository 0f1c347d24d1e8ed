package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class Nd4jArraysTest {
    @Test
    void batchArraysKeepShapeAndOrder() {
        TrainingSampler s = new TrainingSampler(List.of(TrainingSamplerTest.case2d("2DBox_US_0001", 90, 120, 3),
                TrainingSamplerTest.case3d("3DBox_CT_0001")), SamplerConfig.defaults());
        SampleBatch b = s.batches(0, 2).next();
        INDArray x = Nd4jArrays.images(b);
        INDArray m = Nd4jArrays.masks(b);
        INDArray box = Nd4jArrays.boxes(b);
        assertThat(x.shape()).containsExactly(2, 3, 256, 256);
        assertThat(m.shape()).containsExactly(2, 1, 256, 256);
        assertThat(box.shape()).containsExactly(2, 4);
        assertThat(x.getFloat(1, 2, 100, 37)).isEqualTo(b.samples().get(1).image()[(2 * 256 + 100) * 256 + 37]);
        assertThat(m.getFloat(0, 0, 50, 60)).isEqualTo(b.samples().get(0).mask()[50 * 256 + 60]);
        assertThat(box.getFloat(1, 3)).isEqualTo(b.samples().get(1).box()[3]);
    }
}
