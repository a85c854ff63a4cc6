// A user's program in a package of its own: plain JavaScript run by plain `node`, importing
// llm-from-scratch by its package name only (no deep imports, no tsx). Loads a Hugging Face GPT-2
// directory, switches to the fast backend, trains from its weights, generates, evaluates, saves and
// reloads. Run by test/package/outside.test.ts with the HF directory as argv[2] and an output folder
// as argv[3]; prints one JSON line.
import {
  GPT,
  train,
  trainConfig,
  generate,
  evaluateText,
  splitTrainVal,
  toTokenArray,
  getBackend,
  vision,
} from 'llm-from-scratch';
import {
  loadPretrained,
  saveModel,
  loadModel,
  useFastBackend,
  writeImageFile,
  readImageFile,
} from 'llm-from-scratch/node';

const [hfDir, outDir] = process.argv.slice(2);
const backend = await useFastBackend({ threads: 1 });
const { model, tokenizer } = loadPretrained(hfDir);
if (!(model instanceof GPT)) throw new Error('loadPretrained did not give a GPT');
const text = 'the tokens were bytes, and the bytes were merged into pieces of words. '.repeat(40);
const data = splitTrainVal(toTokenArray(tokenizer.encode(text), tokenizer.vocabSize), 0.1);
const before = evaluateText(model, tokenizer, text.slice(0, 600)).loss;
const config = trainConfig({
  steps: 20,
  batchSize: 4,
  lr: 3e-3,
  warmupSteps: 2,
  evalInterval: 10,
  evalBatches: 2,
});
const result = train(model, data, config);
const after = evaluateText(model, tokenizer, text.slice(0, 600)).loss;
const out = generate(model, tokenizer.encode('the tokens'), {
  maxNewTokens: 8,
  decode: (ids) => tokenizer.decode(ids),
});
saveModel(outDir, model, { tokenizer });
const reloaded = loadModel(outDir);
const again = evaluateText(reloaded.model, reloaded.tokenizer ?? tokenizer, text.slice(0, 600)).loss;
// Vision through the package: a generated scene through a PNG file and back, and a small VLM's caption.
const scene = vision.sceneExample('test', 0);
const png = `${outDir}/scene.png`;
writeImageFile(png, scene.image);
const back = readImageFile(png);
const samePixels =
  back.data.length === scene.image.data.length && back.data.every((v, i) => v === scene.image.data[i]);
const words = new vision.WordTokenizer();
const vlm = vision.createVlm(
  {
    vocabSize: words.vocabSize,
    nEmbd: 16,
    nHead: 2,
    nLayer: 1,
    maxText: 24,
    vit: { dModel: 16, nHead: 2, nLayer: 1 },
  },
  0,
);
const caption = vlm.generate(vision.imageToTensor(back), vision.promptIds(words), { maxNewTokens: 4 });
console.log(
  JSON.stringify({
    samePixels,
    captionTokens: caption.length,
    backend,
    active: getBackend().name,
    steps: result.steps,
    before,
    after,
    again,
    generated: out.ids.length,
    text: out.text,
  }),
);
