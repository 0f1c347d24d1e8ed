package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CroppedMaskTest {

    @Test
    void paintsItsRectangleAtItsPlaceInTheFrame() {
        // a 3x2 crop at (x 2, y 1) of a 4-row, 5-column frame
        CroppedMask m = new CroppedMask(4, 5, 2, 1, 3, 2, new byte[] {1, 0, 1, 0, 1, 1});
        assertThat(m.toFrame()).containsExactly(
                0, 0, 0, 0, 0,
                0, 0, 1, 0, 1,
                0, 0, 0, 1, 1,
                0, 0, 0, 0, 0);
        byte[] frame = new byte[20];
        frame[0] = 9;
        frame[7] = 4;
        m.paint(frame, (byte) 7);
        assertThat(frame).containsExactly(
                9, 0, 0, 0, 0,
                0, 0, 7, 0, 7,
                0, 0, 0, 7, 7,
                0, 0, 0, 0, 0);
        assertThat(m.any()).isTrue();
        assertThat(new CroppedMask(4, 5, 0, 0, 2, 1, new byte[2]).any()).isFalse();
        assertThat(CroppedMask.empty(4, 5).toFrame()).hasSize(20).containsOnly(0);
        assertThat(CroppedMask.ofFrame(m.toFrame(), 4, 5).toFrame()).isEqualTo(m.toFrame());
        CroppedMask same = new CroppedMask(4, 5, 2, 1, 3, 2, new byte[] {1, 0, 1, 0, 1, 1});
        assertThat(same).isEqualTo(m).hasSameHashCodeAs(m);
        assertThat(new CroppedMask(4, 5, 2, 1, 2, 3, new byte[] {1, 0, 1, 0, 1, 1})).isNotEqualTo(m);
    }

    @Test
    void refusesACropOutsideItsFrameOrOfTheWrongSize() {
        assertThatThrownBy(() -> new CroppedMask(4, 5, 3, 0, 3, 1, new byte[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit a 5x4 frame");
        assertThatThrownBy(() -> new CroppedMask(4, 5, 0, 3, 1, 2, new byte[2]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> new CroppedMask(4, 5, -1, 0, 1, 1, new byte[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> new CroppedMask(70000, 70000, 0, 0, 70000, 70000, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 4900000000 values");
        assertThatThrownBy(() -> new CroppedMask(4, 5, 0, 0, 2, 2, new byte[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 4 values, got 3");
        assertThatThrownBy(() -> CroppedMask.empty(4, 5).paint(new byte[19], (byte) 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 4x5");
    }
}
