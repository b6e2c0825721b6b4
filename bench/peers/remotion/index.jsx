// Remotion's entry for bench/peers/run.ts: one composition whose length, pictures and captions
// come from the input props (the spec run.ts writes).
import { Composition, registerRoot } from 'remotion';
import { Bench } from './Bench.jsx';

const Root = () => (
  <Composition
    id="Bench"
    component={Bench}
    fps={30}
    width={1080}
    height={1920}
    durationInFrames={1}
    defaultProps={{ pictures: [], cuts: [0, 1], events: [], transitionFrames: 12, zoom: 0.1, fontSize: 80, captionBottom: 400, audio: null }}
    calculateMetadata={({ props }) => ({ durationInFrames: props.cuts[props.cuts.length - 1], fps: props.fps, width: props.width, height: props.height })}
  />
);

registerRoot(Root);
