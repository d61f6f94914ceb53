// The model zoo and transfer learning. (Importing this also registers every arch with createModel.)
export { createModel, listModels, modelSpec, modelInputShape, registerModel, type ModelOptions, type ModelSpec } from './registry.js';
export { LeNet5, LeNet5Classic, type LeNetOptions } from './lenet.js';
export { AlexNet, type AlexNetOptions } from './alexnet.js';
export { VGG, vgg11, vgg11Bn, vgg13, vgg13Bn, vgg16, vgg16Bn, vgg19, vgg19Bn, type VGGOptions } from './vgg.js';
export { ResNet, BasicBlock, Bottleneck, resnet18, resnet34, resnet50, resnet101, resnet152, type ResNetOptions } from './resnet.js';
export { CifarResNet, resnet20, resnet32, resnet44, resnet56, resnet110, type CifarResNetOptions } from './cifar_resnet.js';
export { RNNLM, type RNNLMConfig } from './rnn_lm.js';
export { freeze, unfreeze, replaceHead, paramGroups, extractFeatures, cacheFeatures, Truncated, frozenParameters } from './transfer.js';
export { selectClasses, labelsPerClass } from './transfer_data.js';
export { Seq2Seq, Seq2SeqEncoder, Seq2SeqDecoder, SEQ2SEQ_ARCHS, DEFAULT_SEQ2SEQ_CONFIG, type Seq2SeqConfig, type Seq2SeqArch, type DecoderState, type Memory } from './seq2seq.js';
export { SeqClassifier, SEQ_POOLS, type SeqClassifierConfig, type SeqPool } from './seq_classifier.js';
export { Tagger, type TaggerConfig } from './tagger.js';
export { SeqTrainer, evaluateSeq, predictClasses, predictTags, makeBatch, type SeqExample, type BatchResult } from './seq_train.js';
