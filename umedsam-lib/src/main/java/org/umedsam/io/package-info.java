/**
 * File formats, below the whole chain data -> model -> loss -> optim -> train -> metrics -> report: NumPy
 * {@code .npy} and {@code .npz} ({@link org.umedsam.io.Npy}, {@link org.umedsam.io.Npz},
 * {@link org.umedsam.io.NpyArray}), PyTorch {@code .pth} state dicts without Python
 * ({@link org.umedsam.io.PthCheckpoint}, a restricted unpickler) and NIfTI-1 images
 * ({@link org.umedsam.io.Nifti}), and the one way every file of the toolkit is written,
 * {@link org.umedsam.io.AtomicFiles} (a temporary sibling, then a rename).
 *
 * <p>Depends on nothing else of umedsam. Every reader checks what a file claims (sizes, shapes, types)
 * before allocating, so a hostile or truncated file is a one-line error naming the file, never an
 * exhausted heap.
 */
package org.umedsam.io;
