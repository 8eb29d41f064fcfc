"""Data augmentation as Keras layers placed at the front of the model, so it runs on the
accelerator on every backend, is active only in training (`training=True`, i.e. in `fit`) and
leaves the saved model usable as it is for inference (every layer is the identity there).

Keras' own layers where they fit (RandomFlip, RandomTranslation, RandomRotation, GaussianNoise);
the rest are written here with `keras.ops` and `keras.random` because Keras' RandomCrop resizes
at inference and its brightness/contrast layers clip to a pixel range, while our inputs are
standardized per channel.
"""

import keras

from dlrecipes.errors import ConfigError

ops = keras.ops


class _TrainingOnly(keras.layers.Layer):
    """Base of the random layers here: identity unless called with training=True."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        return self.augment(inputs) if training else inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def _uniform(layer, batch, low, high, dtype="float32"):
    return keras.random.uniform((batch,), low, high, dtype=dtype, seed=layer.seed_generator)


@keras.saving.register_keras_serializable(package="dlrecipes")
class RandomPaddedCrop(_TrainingOnly):
    """Pad `padding` pixels on each side (zeros, or mirror images with mode="reflect") and crop
    back to the original size at a random offset per image (Krizhevsky et al. 2012; He et al.
    2016 pad 4 on CIFAR; Zagoruyko & Komodakis 2016 reflect)."""

    def __init__(self, padding=4, mode="constant", **kwargs):
        super().__init__(**kwargs)
        self.padding, self.mode = int(padding), mode

    def augment(self, images):
        p = self.padding
        batch, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
        padded = ops.pad(images, [[0, 0], [p, p], [p, p], [0, 0]], mode=self.mode)
        top = ops.cast(_uniform(self, batch, 0, 2 * p + 1), "int32")
        left = ops.cast(_uniform(self, batch, 0, 2 * p + 1), "int32")
        rows = top[:, None] + ops.arange(height, dtype="int32")[None, :]  # (B, H)
        cols = left[:, None] + ops.arange(width, dtype="int32")[None, :]  # (B, W)
        shape = ops.shape(padded)
        rows = ops.broadcast_to(rows[:, :, None, None], (batch, height, shape[2], shape[3]))
        padded = ops.take_along_axis(padded, rows, axis=1)
        cols = ops.broadcast_to(cols[:, None, :, None], (batch, height, width, shape[3]))
        return ops.take_along_axis(padded, cols, axis=2)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "mode": self.mode}


@keras.saving.register_keras_serializable(package="dlrecipes")
class RandomBrightnessContrast(_TrainingOnly):
    """x' = (x − m)·c + m + b per image, m its mean, c ~ U[1 − contrast, 1 + contrast],
    b ~ U[−brightness, brightness] in the units of the (standardized) input; no clipping."""

    def __init__(self, brightness=0.0, contrast=0.0, **kwargs):
        super().__init__(**kwargs)
        self.brightness, self.contrast = float(brightness), float(contrast)

    def augment(self, images):
        batch = ops.shape(images)[0]
        c = _uniform(self, batch, 1.0 - self.contrast, 1.0 + self.contrast)[:, None, None, None]
        b = _uniform(self, batch, -self.brightness, self.brightness)[:, None, None, None]
        mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
        return (images - mean) * ops.cast(c, images.dtype) + mean + ops.cast(b, images.dtype)

    def get_config(self):
        return {**super().get_config(), "brightness": self.brightness, "contrast": self.contrast}


@keras.saving.register_keras_serializable(package="dlrecipes")
class RandomErasing(_TrainingOnly):
    """With probability `probability`, set a square of side `size`·min(H, W) at a uniformly
    random centre (it may stick out of the image) to 0 — the channel mean of standardized
    inputs: Cutout (DeVries & Taylor 2017), the fixed-size form of random erasing (Zhong et
    al. 2017)."""

    def __init__(self, probability=0.5, size=0.5, **kwargs):
        super().__init__(**kwargs)
        self.probability, self.size = float(probability), float(size)

    def augment(self, images):
        batch, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
        half = self.size * min(height, width) / 2.0
        cy = _uniform(self, batch, 0.0, float(height))[:, None, None]
        cx = _uniform(self, batch, 0.0, float(width))[:, None, None]
        apply = _uniform(self, batch, 0.0, 1.0)[:, None, None] < self.probability
        y = ops.arange(height, dtype="float32")[None, :, None] + 0.5
        x = ops.arange(width, dtype="float32")[None, None, :] + 0.5
        inside = (ops.abs(y - cy) < half) & (ops.abs(x - cx) < half) & apply  # (B, H, W)
        return ops.where(inside[..., None], ops.zeros_like(images), images)

    def get_config(self):
        return {**super().get_config(), "probability": self.probability, "size": self.size}


@keras.saving.register_keras_serializable(package="dlrecipes")
class PCALighting(_TrainingOnly):
    """AlexNet's colour augmentation (Krizhevsky et al. 2012, §4.1): add to every pixel of an
    image Σ_i α_i λ_i p_i, with p_i, λ_i the eigenvectors and eigenvalues of the covariance of
    the training pixels' channels and α_i ~ N(0, `alpha_std`) drawn once per image."""

    def __init__(self, alpha_std=0.1, eigenvalues=(1.0,), eigenvectors=((1.0,),), **kwargs):
        super().__init__(**kwargs)
        self.alpha_std = float(alpha_std)
        self.eigenvalues = [float(v) for v in eigenvalues]
        self.eigenvectors = [[float(v) for v in row] for row in eigenvectors]

    def augment(self, images):
        batch = ops.shape(images)[0]
        alpha = keras.random.normal((batch, len(self.eigenvalues)), stddev=self.alpha_std, seed=self.seed_generator)
        vectors = ops.convert_to_tensor(self.eigenvectors, dtype=images.dtype)  # columns p_i
        values = ops.convert_to_tensor(self.eigenvalues, dtype=images.dtype)
        shift = ops.matmul(ops.cast(alpha, images.dtype) * values, ops.transpose(vectors))  # (B, C)
        return images + shift[:, None, None, :]

    def get_config(self):
        return {
            **super().get_config(),
            "alpha_std": self.alpha_std,
            "eigenvalues": self.eigenvalues,
            "eigenvectors": self.eigenvectors,
        }


def channel_pca(data, max_images=2000, batch_size=100):
    """(eigenvalues, eigenvectors as columns) of the channel covariance of the standardized
    training pixels of `data` (its first `max_images` images, in file order), accumulated
    batch by batch so that large images fit in memory."""
    import numpy as np

    count, total, products = 0, 0.0, 0.0
    for x, _ in data.as_dataset("train", batch_size, shuffle=False).take(-(-max_images // batch_size)):
        pixels = np.asarray(x, dtype=np.float64).reshape(-1, np.shape(x)[-1])
        count, total, products = count + len(pixels), total + pixels.sum(0), products + pixels.T @ pixels
    mean = total / count
    covariance = (products - count * np.outer(mean, mean)) / (count - 1)
    values, vectors = np.linalg.eigh(covariance)
    return values.tolist(), vectors.tolist()


def augmentation_layers(spec, seed=None, data=None):
    """The Keras layers of an `AugmentationSpec` in a fixed order (scale, crop, flip,
    translation, rotation, colour, brightness/contrast, noise, erasing); [] when it asks for
    nothing. PCA lighting needs the training `data` for its channel statistics."""
    layers = []
    if spec.scale_jitter > 1:
        # zoom in by s ~ U-like in [1, scale_jitter]: a crop of 1/s of the image resized back
        # (VGG's scale jitter S ∈ [256, 512] on 224-pixel crops of the 256-pixel image is ≈ 2)
        zoom = -(1.0 - 1.0 / spec.scale_jitter)
        layers.append(keras.layers.RandomZoom((zoom, 0.0), seed=seed, name="augment_scale"))
    if spec.crop_padding:
        layers.append(RandomPaddedCrop(spec.crop_padding, spec.padding_mode, seed=seed, name="augment_crop"))
    if spec.flip != "none":
        layers.append(keras.layers.RandomFlip(spec.flip, seed=seed, name="augment_flip"))
    if spec.translation:
        layers.append(
            keras.layers.RandomTranslation(spec.translation, spec.translation, seed=seed, name="augment_translation")
        )
    if spec.rotation:
        layers.append(keras.layers.RandomRotation(spec.rotation / 360.0, seed=seed, name="augment_rotation"))
    if spec.pca_lighting:
        if data is None:
            raise ConfigError("augmentation.pca_lighting needs the training data (its channel statistics).")
        values, vectors = channel_pca(data)
        layers.append(PCALighting(spec.pca_lighting, values, vectors, seed=seed, name="augment_pca_lighting"))
    if spec.brightness or spec.contrast:
        layers.append(
            RandomBrightnessContrast(spec.brightness, spec.contrast, seed=seed, name="augment_brightness_contrast")
        )
    if spec.noise_stddev:
        layers.append(keras.layers.GaussianNoise(spec.noise_stddev, seed=seed, name="augment_noise"))
    if spec.erasing:
        layers.append(RandomErasing(spec.erasing, spec.erasing_size, seed=seed, name="augment_erasing"))
    return layers


def with_augmentation(model, spec, seed=None, data=None):
    """`model` with the augmentation layers of `spec` in front, as one flat Functional model that
    reuses `model`'s layers (same names, same weights); `model` itself when there are none."""
    layers = augmentation_layers(spec, seed, data)
    if not layers:
        return model
    inputs = keras.Input(model.input_shape[1:], name="input")
    x = inputs
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, model.call(x), name=model.name)
