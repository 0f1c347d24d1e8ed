/**
 * Challenge data, first in data -> model -> loss -> optim -> train -> metrics -> report: reading cases,
 * LiteMedSAM pre/post-processing, training samples (reproducible per seed, epoch and position through
 * {@link org.umedsam.data.Seeds}) and the default dataset. Everything here works on flat Java arrays;
 * {@link org.umedsam.data.Nd4jArrays} converts to ND4J. Depends on {@code io} only.
 *
 * <h2>Typical use</h2>
 * <pre>{@code
 * // data on a fresh machine (real MR from mricron-data + synthetic modalities), reused if built
 * DatasetManifest m = DefaultDatasets.ensure(Path.of("data"), Profile.defaults());
 * List<Path> train = m.files(Path.of("data"), "train");
 *
 * // training samples, LiteMedSAM's trainer semantics, reproducible per (seed, epoch, position)
 * TrainingSampler sampler = TrainingSampler.ofFiles(train, SamplerConfig.defaults());
 * Iterator<SampleBatch> it = sampler.batches(epoch, 8);          // or batches(epoch, 8, resumeAt)
 * SampleBatch b = it.next();   // images [B,3,256,256], boxes [B,4], masks [B,1,256,256] (float[])
 * INDArray x = Nd4jArrays.images(b);
 *
 * // inference on one challenge case
 * Case c = CaseReader.read(Path.of("2DBox_US_0525.npz"));       // validated, errors name file + key
 * Preprocess pre = Preprocess.defaults();
 * PreparedImage p = pre.prepare(c.slice(0));                    // [3,256,256], newH/newW
 * double[] box256 = pre.box(new double[] {x0, y0, x1, y1}, p);  // int(v * 256 / max(H, W))
 * byte[] mask = pre.mask(logits256, p);                          // crop, bilinear up, sigmoid > 0.5
 * double[] next = BoxPrompts.nextSliceBox(mask, c.height(), c.width());  // 3D propagation box
 * CaseWriter.writeSegs(out, segs, c.shape());                   // "segs" uint8, compressed
 *
 * // NIfTI image/label pairs to 3D cases, as MedSAM's pre_CT_MR.py does (umedsam convert)
 * for (NiftiPair pair : NiftiPair.find(Path.of("imagesTr"), Path.of("labelsTr"))) {
 *     NiftiCases.write(pair, NiftiConversion.defaults("CT"), Path.of("cases"), false);  // 3D_CT_NAME.npz
 * }
 * // and a prediction on such a case back over its volume (umedsam to-nifti): grid, orientation, label values
 * NiftiPredictions.write(Path.of("cases/3D_CT_NAME.npz"), Path.of("segs/3D_CT_NAME.npz"), Path.of("NAME.nii.gz"));
 * }</pre>
 */
package org.umedsam.data;
