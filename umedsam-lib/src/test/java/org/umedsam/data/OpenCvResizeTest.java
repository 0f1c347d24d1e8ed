package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;

/**
 * {@link AreaResize} and {@link NearestResize} against OpenCV 4.6 ({@code cv2.resize}, Debian's
 * python3-opencv, which reproduces the shared LiteMedSAM fixtures to 3e-8): every INTER_AREA path
 * (2x2, 3x3, 4x4 and 1xN blocks; fractional shrink; enlarging; mixed shrink/enlarge), one and
 * three channels, on smooth-plus-noise images, binary masks and small label maps (where
 * rounding of halves decides). Stored in {@code src/test/resources/opencv/resize_cases.npz}.
 */
class OpenCvResizeTest {
    static Map<String, NpyArray> all;

    static synchronized Map<String, NpyArray> cases() throws Exception {
        if (all == null) {
            all = Npz.read(Path.of(OpenCvResizeTest.class.getResource("/opencv/resize_cases.npz").toURI()));
        }
        return all;
    }

    static Stream<String> names() throws Exception {
        TreeSet<String> s = new TreeSet<>();
        for (String k : cases().keySet()) {
            s.add(k.substring(0, k.lastIndexOf('_')));
        }
        return s.stream();
    }

    static ImageU8 image(NpyArray a) {
        int[] s = a.shape();
        return new ImageU8(s[0], s[1], s.length == 3 ? s[2] : 1, a.toUint8Array());
    }

    @ParameterizedTest
    @MethodSource("names")
    void interAreaMatchesOpenCv(String name) throws Exception {
        ImageU8 src = image(cases().get(name + "_src"));
        ImageU8 expected = image(cases().get(name + "_area"));
        ImageU8 got = AreaResize.resize(src, expected.height(), expected.width());
        assertThat(got.data()).as(name + " " + src + " -> " + expected).isEqualTo(expected.data());
    }

    @ParameterizedTest
    @MethodSource("names")
    void interNearestMatchesOpenCv(String name) throws Exception {
        ImageU8 src = image(cases().get(name + "_src"));
        ImageU8 expected = image(cases().get(name + "_nearest"));
        ImageU8 got = NearestResize.resize(src, expected.height(), expected.width());
        assertThat(got.data()).as(name).isEqualTo(expected.data());
    }

    /**
     * Large sources are resized in parallel bands of destination rows; each row is still summed by one thread in
     * the table's order, so any split gives the one-band image, byte for byte.
     */
    @org.junit.jupiter.api.Test
    void bandsOfRowsGiveTheOneBandImage() {
        java.util.Random r = new java.util.Random(21);
        for (int[] s : new int[][] {{700, 930, 3, 256, 193}, {613, 517, 1, 256, 216}, {1536, 2040, 3, 193, 256}}) {
            byte[] data = new byte[s[0] * s[1] * s[2]];
            r.nextBytes(data);
            ImageU8 src = new ImageU8(s[0], s[1], s[2], data);
            double scaleX = (double) s[1] / s[4];
            double scaleY = (double) s[0] / s[3];
            byte[] one = AreaResize.areaWeighted(src, s[3], s[4], scaleX, scaleY, 1).data();
            for (int bands : new int[] {2, 3, 7, s[3]}) {
                assertThat(AreaResize.areaWeighted(src, s[3], s[4], scaleX, scaleY, bands).data())
                        .as("%dx%dx%d in %d bands", s[0], s[1], s[2], bands).isEqualTo(one);
            }
            assertThat(AreaResize.resize(src, s[3], s[4]).data()).as("resize of %dx%d", s[0], s[1]).isEqualTo(one);
        }
    }
}
