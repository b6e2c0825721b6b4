// The spec of bench/peers/run.ts in Remotion: each picture covers its section with a slow zoom
// (scale 1 → 1 + zoom), the next one crossfades in over `transitionFrames` on top of the previous one
// (which runs on under it), and the caption states (lines, lit word) are faceless's own, at its times.
import { AbsoluteFill, Audio, Img, Sequence, interpolate, staticFile, useCurrentFrame, useVideoConfig } from 'remotion';

const Picture = ({ src, frames, fadeIn, zoom }) => {
  const frame = useCurrentFrame();
  const scale = interpolate(frame, [0, frames], [1, 1 + zoom], { extrapolateRight: 'clamp' });
  const opacity = fadeIn > 0 ? interpolate(frame, [0, fadeIn], [0, 1], { extrapolateRight: 'clamp' }) : 1;
  return (
    <AbsoluteFill style={{ opacity }}>
      <Img src={src} style={{ width: '100%', height: '100%', objectFit: 'cover', transform: `scale(${scale})` }} />
    </AbsoluteFill>
  );
};

const Caption = ({ events, fontSize, captionBottom }) => {
  const frame = useCurrentFrame();
  const { fps } = useVideoConfig();
  const cs = Math.floor((frame / fps) * 100);
  const event = events.find((e) => e.startCs <= cs && cs < e.endCs);
  if (!event) return null;
  let index = 0;
  return (
    <AbsoluteFill style={{ justifyContent: 'flex-end', alignItems: 'center', paddingBottom: captionBottom }}>
      {event.lines.map((line, li) => (
        <div key={li} style={{ fontFamily: 'DejaVu Sans', fontWeight: 700, fontSize, lineHeight: 1.15, color: 'white', WebkitTextStroke: `${Math.round(fontSize * 0.05)}px black`, textShadow: '0 4px 8px rgba(0,0,0,0.6)', textAlign: 'center' }}>
          {line.map((word, wi) => {
            const lit = index++ === event.highlight;
            return <span key={wi} style={{ color: lit ? '#FFD400' : 'white' }}>{wi > 0 ? ' ' : ''}{word}</span>;
          })}
        </div>
      ))}
    </AbsoluteFill>
  );
};

export const Bench = ({ pictures, cuts, events, transitionFrames, zoom, fontSize, captionBottom, audio }) => (
  <AbsoluteFill style={{ backgroundColor: 'black' }}>
    {pictures.map((picture, i) => {
      const from = cuts[i];
      const last = i === pictures.length - 1;
      // The outgoing picture runs on under the incoming one while it fades in.
      const frames = cuts[i + 1] - from + (last ? 0 : transitionFrames);
      return (
        <Sequence key={picture} from={from} durationInFrames={frames}>
          <Picture src={staticFile(picture)} frames={frames} fadeIn={i > 0 ? transitionFrames : 0} zoom={zoom} />
        </Sequence>
      );
    })}
    <Caption events={events} fontSize={fontSize} captionBottom={captionBottom} />
    {audio ? <Audio src={staticFile(audio)} /> : null}
  </AbsoluteFill>
);
