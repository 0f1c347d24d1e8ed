package org.umedsam.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Label maps of one or two bytes a label, read from any integer dtype (issue 15: more than 255 objects). */
class LabelArrayTest {
    @Test
    void uint16LabelsAbove255AreKeptAndWrittenAsUint16() {
        short[] v = {0, 1, 255, 256, 300, (short) 65535};
        LabelArray a = LabelArray.of(NpyArray.ofUint16(v, 2, 3));
        assertThat(a.isWide()).isTrue();
        assertThat(a.get(3)).isEqualTo(256);
        assertThat(a.get(5)).isEqualTo(65535);
        assertThat(a.max()).isEqualTo(65535);
        NpyArray back = a.toNpy(2, 3);
        assertThat(back.dtype()).isEqualTo(NpyDtype.UINT16);
        assertThat(back.toIntArray()).containsExactly(0, 1, 255, 256, 300, 65535);
    }

    @Test
    void smallLabelsOfAWideDtypeAreHeldAndWrittenInBytes() {
        LabelArray a = LabelArray.of(NpyArray.ofInt32(new int[] {0, 7, 255}, 3));
        assertThat(a.isWide()).isFalse();
        assertThat(a.toNpy(3).dtype()).isEqualTo(NpyDtype.UINT8);
        assertThat(LabelArray.of(NpyArray.ofFloat64(new double[] {0, 300}, 2)).get(1)).isEqualTo(300);
    }

    @Test
    void settingALabelAbove255WidensAndNothingIsTruncated() {
        LabelArray a = LabelArray.zeros(4);
        a.set(0, 200);
        assertThat(a.isWide()).isFalse();
        a.set(1, 256);
        assertThat(a.isWide()).isTrue();
        assertThat(new int[] {a.get(0), a.get(1), a.get(2)}).containsExactly(200, 256, 0);
        assertThat(a.toNpy(4).dtype()).isEqualTo(NpyDtype.UINT16);
        assertThatThrownBy(() -> a.set(2, 65536)).hasMessageContaining("label 65536 outside 0..65535");
        assertThatThrownBy(a::uint8).hasMessageContaining("uint16");
        // equal to the same labels held in bytes
        LabelArray narrow = LabelArray.ofUint8(new byte[] {1, 2});
        LabelArray wide = LabelArray.ofUint16(new short[] {1, 2});
        assertThat(wide).isEqualTo(narrow).hasSameHashCodeAs(narrow);
        assertThat(wide.toNpy(2).dtype()).isEqualTo(NpyDtype.UINT8);
    }

    @Test
    void valuesThatAreNoLabelsAreRefusedByValueAndIndex() {
        assertThatThrownBy(() -> LabelArray.of(NpyArray.ofInt32(new int[] {0, 65536}, 2)))
                .hasMessageContaining("value 65536 at index 1 is outside the labels 0..65535");
        assertThatThrownBy(() -> LabelArray.of(NpyArray.ofInt16(new short[] {0, -1}, 2)))
                .hasMessageContaining("value -1 at index 1");
        assertThatThrownBy(() -> LabelArray.of(NpyArray.ofFloat32(new float[] {2.5f}, 1)))
                .hasMessageContaining("value 2.5 at index 0 is not a whole number");
        assertThatThrownBy(() -> LabelArray.of(NpyArray.ofFloat32(new float[] {Float.NaN}, 1)))
                .hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> LabelArray.of(NpyArray.ofFloat64(new double[] {1e300}, 1)))
                .hasMessageContaining("outside the labels");
    }
}
