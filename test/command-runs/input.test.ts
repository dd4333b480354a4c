import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { parseRunCommandInput } from '../../src/command-runs/input';

const valid = { integrationId: '0b7c3a52-2f0e-4c55-9d56-9a4d1c1e7f10', appName: 'my-app', command: 'echo {{ incident.id }}' };

function problem(input: Record<string, unknown>): string {
  const parsed = parseRunCommandInput(input);
  assert.equal(parsed.ok, false, `expected ${JSON.stringify(input)} to be refused`);
  return parsed.ok ? '' : parsed.message;
}

describe('RunCommandOnHeroku input (CONTRACT §4)', () => {
  it('applies the defaults: standard-1X, 1800 s, no timeline, no channels, no incident, no live output', () => {
    const parsed = parseRunCommandInput(valid);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.input, { ...valid, timeToLiveSeconds: 1800, postToIncidentTimeline: false, slackChannels: [], incident: null, slackLiveOutput: false });
  });

  it('caps the time to live at 1800 s and accepts the two sizes in any case', () => {
    const parsed = parseRunCommandInput({ ...valid, timeToLiveSeconds: 99999, dynoSize: 'STANDARD-2x' });
    assert.ok(parsed.ok);
    assert.equal(parsed.input.timeToLiveSeconds, 1800);
    assert.equal(parsed.input.dynoSize, 'standard-2X');
    const short = parseRunCommandInput({ ...valid, timeToLiveSeconds: 5 });
    assert.ok(short.ok && short.input.timeToLiveSeconds === 5);
  });

  it('refuses invalid input with a message naming the field', () => {
    assert.match(problem({ ...valid, integrationId: 'nope' }), /integrationId: unknown integration/);
    assert.match(problem({ ...valid, command: '   ' }), /command: command must not be empty/);
    assert.match(problem({ ...valid, command: undefined }), /command: command is required/);
    assert.match(problem({ ...valid, appName: 'My_App' }), /appName: appName is not a valid Heroku app name/);
    assert.match(problem({ ...valid, appName: 'x' }), /appName/);
    assert.match(problem({ ...valid, dynoSize: 'performance-l' }), /dynoSize: dynoSize must be standard-1X or standard-2X/);
    assert.match(problem({ ...valid, timeToLiveSeconds: 1.5 }), /timeToLiveSeconds must be a whole number/);
    assert.match(problem({ ...valid, timeToLiveSeconds: 0 }), /timeToLiveSeconds must be positive/);
    assert.match(problem({ ...valid, timeToLiveSeconds: -5 }), /timeToLiveSeconds must be positive/);
    assert.match(problem({ ...valid, timeToLiveSeconds: '1800' }), /timeToLiveSeconds must be a number/);
    assert.match(problem({ ...valid, slackChannels: ['ops'] }), /slackChannels.0: .*channel ids/);
    assert.match(problem({ ...valid, postToIncidentTimeline: true }), /incident.id: postToIncidentTimeline needs incident.id/);
    assert.match(problem({ ...valid, incident: { id: 42 } }), /incident.id: incident.id must be a string/);
    assert.match(problem({ ...valid, timeToLive: 60 }), /Unrecognized key.*timeToLive/);
    assert.match(problem({ ...valid, command: 'x'.repeat(5000) }), /longer than 4096/);
  });
});
