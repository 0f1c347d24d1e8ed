package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** 8-connected components of a binary mask: diagonal neighbours join, raster order of first pixels, BFS order inside. */
class ConnectedComponentsTest {

    @Test
    void diagonalNeighboursJoinAndComponentsComeInRasterOrder() {
        byte[] mask = {
                0, 1, 0, 0, 1,
                0, 0, 1, 0, 1,
                0, 0, 0, 0, 0,
                1, 1, 0, 0, 0,
        };
        List<int[]> c = ConnectedComponents.of(mask, 4, 5);
        assertThat(c).hasSize(3);
        assertThat(c.get(0)).containsExactly(1, 7); // (0,1) and (1,2) touch at a corner
        assertThat(c.get(1)).containsExactly(4, 9);
        assertThat(c.get(2)).containsExactly(15, 16);
    }

    @Test
    void aBlockOfSlicesFillsIn3dOnlyWhenAsked() {
        // two 2 x 2 slices; voxel 0 on the first, voxel 7 (its diagonal in 3D) on the second
        int[] labels = {5, 0, 0, 0, 0, 0, 0, 5};
        int[] queue = new int[labels.length];
        assertThat(ConnectedComponents.fill(0, 0, 2, 2, 2, true, q -> labels[q] == 5, new boolean[8], queue)).isEqualTo(2);
        assertThat(queue[1]).isEqualTo(7);
        assertThat(ConnectedComponents.fill(0, 0, 2, 2, 2, false, q -> labels[q] == 5, new boolean[8], queue)).isEqualTo(1);
    }
}
