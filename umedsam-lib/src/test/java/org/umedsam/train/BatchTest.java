package org.umedsam.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.umedsam.loss.TargetMaps;

/** {@link Batch}: items stacked in order, K boxes per image with one stored image, target maps cached by key. */
class BatchTest {

    /** {@code groups} images of 8x8, each with {@code k} items (boxes) sharing it; item i's box starts at i. */
    static TrainingSource grouped(int groups, int k, boolean breakSharing) {
        return new TrainingSource() {
            @Override
            public int epochSize(int epoch) {
                return groups * k;
            }

            @Override
            public TrainingExample example(int epoch, int position) {
                int g = position / k;
                float[] image = new float[3 * 64];
                java.util.Arrays.fill(image, g + (breakSharing && position % k == 1 ? 0.5f : 0f));
                byte[] mask = new byte[64];
                mask[position] = 1;
                return new TrainingExample("item" + position, image, new float[] {position, 0, position + 2, 3}, mask,
                        8, 8, "");
            }

            @Override
            public long cacheKey(int epoch, int position) {
                return position;
            }
        };
    }

    @Test
    void stacksGroupsOfBoxesOnOneImageEachAndCachesTheirMaps() {
        Map<Long, TargetMaps> cache = new HashMap<>();
        Batch b = Batch.load(grouped(3, 2, false), 0, 2, 4, 2, cache);
        assertThat(b.images().shape()).containsExactly(2, 3, 8, 8);
        assertThat(b.boxes().shape()).containsExactly(4, 4);
        assertThat(b.size()).isEqualTo(4);
        assertThat(b.boxesPerImage()).isEqualTo(2);
        assertThat(b.images().getFloat(0, 0, 0, 0)).isEqualTo(1f); // group 1 (items 2, 3)
        assertThat(b.images().getFloat(1, 2, 7, 7)).isEqualTo(2f);
        assertThat(b.boxes().getFloat(3, 0)).isEqualTo(5f);
        assertThat(b.maps()[1].target()[3]).isEqualTo(1.0);
        assertThat(cache).containsOnlyKeys(2L, 3L, 4L, 5L);
        Batch again = Batch.load(grouped(3, 2, false), 0, 2, 4, 2, cache);
        assertThat(again.maps()[0]).isSameAs(b.maps()[0]);
    }

    @Test
    void refusesPartialGroupsImagesThatAreNotSharedAndMixedSizes() {
        assertThatThrownBy(() -> Batch.load(grouped(3, 2, false), 0, 1, 2, 2, new HashMap<>()))
                .hasMessageContaining("do not hold whole groups of 2");
        assertThatThrownBy(() -> Batch.load(grouped(3, 2, true), 0, 0, 2, 2, new HashMap<>()))
                .hasMessageContaining("'item1' should share the image");
        TrainingExample small = new TrainingExample("small", new float[12], new float[4], new byte[4], 2, 2, "");
        TrainingExample big = grouped(1, 1, false).example(0, 0);
        assertThatThrownBy(() -> Batch.of(List.of(big, small)))
                .hasMessageContaining("'small' is 2x2, but 'item0' in the same batch is 8x8");
        assertThatThrownBy(() -> Batch.of(List.of())).hasMessageContaining("at least one example");
    }

    @Test
    void aListIsOneBoxPerImageWithFreshMaps() {
        TrainingSource s = grouped(3, 1, false);
        Batch b = Batch.of(List.of(s.example(0, 0), s.example(0, 1), s.example(0, 2)));
        assertThat(b.images().shape()).containsExactly(3, 3, 8, 8);
        assertThat(b.boxesPerImage()).isEqualTo(1);
        assertThat(b.maps()[2].target()[2]).isEqualTo(1.0);
        assertThatThrownBy(() -> new Batch(b.images(), b.boxes(), new TargetMaps[2]))
                .hasMessageContaining("B K targets");
    }

    @Test
    void firstBoxesAreEachImagesFirstItemWithoutTargets() {
        TrainingSource s = grouped(3, 2, false);
        Batch.Inputs in = Batch.firstBoxes(s, 0, 1, 2, 2);
        Batch full = Batch.load(s, 0, 2, 4, 2, new HashMap<>());
        assertThat(in.images().shape()).containsExactly(2, 3, 8, 8);
        assertThat(in.images()).isEqualTo(full.images()); // groups 1 and 2, as the full batch of their items
        assertThat(in.boxes().shape()).containsExactly(2, 4);
        assertThat(in.boxes().getFloat(0, 0)).isEqualTo(2f); // item 2, the first of group 1
        assertThat(in.boxes().getFloat(1, 0)).isEqualTo(4f); // item 4, the first of group 2
    }
}
