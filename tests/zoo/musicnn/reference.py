"""The official musicnn networks, run from the checkpoint's own `.meta` graph (TF1 graph mode).

The wheel's `models.py` builds with `tf.compat.v1.layers`, which Keras 3 removed,
so the reference is the graph the authors saved: `.meta` restricted to the ops
that compute the outputs (training, gradient and saver nodes dropped, stale
`_output_shapes` removed), its variables assigned from the checkpoint, run with
`is_training=False`. Nothing here shares code with `zoo.musicnn`.
"""

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import meta_graph_pb2

# Placeholders of the saved graph: x (batch, 187, 96), labels, is_training.
INPUT, IS_TRAINING = "model/Placeholder:0", "model/Placeholder_2:0"
OUTPUTS = {
    "musicnn": {
        "logits": "model/dense_1/BiasAdd:0",
        "sigmoid": "model/Sigmoid:0",
        "penultimate": "model/batch_normalization_10/batchnorm/add_1:0",
    },
    "vgg": {"logits": "model/dense/BiasAdd:0", "sigmoid": "model/Sigmoid:0"},
}


def official_outputs(prefix, batch, arch="musicnn", extra=()):
    """Run the saved official graph of checkpoint `prefix` on log-mel `batch` (b, 187, 96).

    Returns:
        `{"logits", "sigmoid", ...}` as NumPy arrays (inference mode).
    """
    meta = meta_graph_pb2.MetaGraphDef()
    with open(prefix + ".meta", "rb") as f:
        meta.ParseFromString(f.read())
    wanted = dict(OUTPUTS[arch])
    wanted.update({name: name for name in extra})
    nodes = [t.split(":")[0] for t in wanted.values()]
    sub = tf.compat.v1.graph_util.extract_sub_graph(meta.graph_def, nodes)
    for node in sub.node:
        node.attr.pop("_output_shapes", None)
        node.device = ""
    reader = tf.compat.v1.train.NewCheckpointReader(prefix)
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(sub, name="")
        assigns = [
            tf.compat.v1.assign(graph.get_tensor_by_name(n.name + ":0"), reader.get_tensor(n.name))
            for n in sub.node
            if n.op in ("VariableV2", "Variable")
        ]
        tensors = {k: graph.get_tensor_by_name(v) for k, v in wanted.items()}
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(assigns)
            feed = {INPUT: np.asarray(batch, np.float32), IS_TRAINING: False}
            return session.run(tensors, feed_dict=feed)
