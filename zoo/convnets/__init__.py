"""Convolutional and fully connected classifiers: MLP, the LWLS CNN, AlexNet, VGG, PANNs.

Each builder lives in its own module (`zoo.convnets.vgg.vgg16`) and is also
`zoo.vgg16`; `zoo.convnets.inputs` holds what the image models share (the
role of `keras.applications.imagenet_utils`).
"""

from zoo.convnets import alexnet, inputs, lwls_cnn, mlp, panns, vgg

__all__ = ["alexnet", "inputs", "lwls_cnn", "mlp", "panns", "vgg"]
