import assert from 'node:assert/strict';
import { isNpsSecurityEvent, securityFieldsFromMessage } from '../../src/parse/security-message.js';
import { EXPECTED_6273_FROM_MESSAGE, winlogbeatDocs } from './windows-helpers.js';

/** The 6273 EventData of winlogbeat.ndjson line 5: the message must give back the same values. */
function winlogbeat6273(): { message: string; eventData: Record<string, string> } {
  const doc = winlogbeatDocs()[4]!;
  return { message: doc.message, eventData: doc.winlog.event_data };
}

// RECONSTRUCTED from the 2008 R2 template (events.md §3.1): "Proxy Policy Name" wording and a quarantine block.
const MESSAGE_6272_2008 = [
  'Network Policy Server granted access to a user.',
  '',
  'User:',
  '\tSecurity ID:\t\t\tCONTOSO\\asmith',
  '\tAccount Name:\t\t\tasmith',
  '\tAccount Domain:\t\t\tCONTOSO',
  '\tFully Qualified Account Name:\tcontoso.com/Users/Alice Smith',
  '',
  'Client Machine:',
  '\tSecurity ID:\t\t\tNULL SID',
  '\tAccount Name:\t\t\t-',
  '\tFully Qualified Account Name:\t-',
  '\tOS-Version:\t\t\t-',
  '\tCalled Station Identifier:\t\t-',
  '\tCalling Station Identifier:\t\t198.51.100.9',
  '',
  'NAS:',
  '\tNAS IPv4 Address:\t\t10.0.0.4',
  '\tNAS IPv6 Address:\t\tfe80::1:2',
  '\tNAS Identifier:\t\t\t-',
  '\tNAS Port-Type:\t\t\tVirtual',
  '\tNAS Port:\t\t\t7',
  '',
  'RADIUS Client:',
  '\tClient Friendly Name:\t\tRDGW',
  '\tClient IP Address:\t\t\t10.0.0.4',
  '',
  'Authentication Details:',
  '\tProxy Policy Name:\t\tTS GATEWAY AUTHORIZATION POLICY',
  '\tNetwork Policy Name:\t\tRDG_CAP_AllUsers',
  '\tAuthentication Provider:\t\tWindows',
  '\tAuthentication Server:\t\tNPS02.contoso.com',
  '\tAuthentication Type:\t\tMS-CHAPv2',
  '\tEAP Type:\t\t\t-',
  '\tAccount Session Identifier:\t\t-',
  '',
  'Quarantine Information:',
  '\tResult:\t\t\t\tFull Access',
  '\tSession Identifier:\t\t-',
].join('\r\n');

describe('securityFieldsFromMessage', () => {
  it('maps the 6273 reason-21 message to the EventData names', () => {
    const { message } = winlogbeat6273();
    assert.deepEqual(securityFieldsFromMessage(message), EXPECTED_6273_FROM_MESSAGE);
  });

  it('agrees with the EventData of the same event except the SIDs (rendered as names)', () => {
    const { message, eventData } = winlogbeat6273();
    const fromMessage = securityFieldsFromMessage(message);
    for (const [name, value] of Object.entries(eventData)) {
      if (name === 'SubjectUserSid' || name === 'SubjectMachineSID') continue;
      assert.equal(fromMessage[name], value, name);
    }
  });

  it('keeps section apart: Security ID / Account Name under User and Client Machine', () => {
    const f = securityFieldsFromMessage(MESSAGE_6272_2008);
    assert.equal(f.SubjectUserSid, 'CONTOSO\\asmith');
    assert.equal(f.SubjectMachineSID, 'NULL SID');
    assert.equal(f.SubjectUserName, 'asmith');
    assert.equal(f.SubjectMachineName, '-');
    assert.equal(f.FullyQualifiedSubjectUserName, 'contoso.com/Users/Alice Smith');
    assert.equal(f.FullyQualifiedSubjectMachineName, '-');
  });

  it('reads 2008 wording, CRLF, colons in values and the quarantine block', () => {
    const f = securityFieldsFromMessage(MESSAGE_6272_2008);
    assert.equal(f.ProxyPolicyName, 'TS GATEWAY AUTHORIZATION POLICY');
    assert.equal(f.NASIPv6Address, 'fe80::1:2');
    assert.equal(f.MachineInventory, '-');
    assert.equal(f.NASPort, '7');
    assert.equal(f.AuthenticationType, 'MS-CHAPv2');
    assert.equal(f.QuarantineState, 'Full Access');
    assert.equal(f.QuarantineSessionIdentifier, '-');
    assert.equal(f.ReasonCode, undefined);
  });

  it('ignores text that is not a known section/label', () => {
    assert.deepEqual(securityFieldsFromMessage(''), {});
    assert.deepEqual(securityFieldsFromMessage('Reason Code: 21\nAccount Name: x'), {});
    assert.deepEqual(securityFieldsFromMessage('Other:\n\tReason Code:\t21'), {});
  });

  it('isNpsSecurityEvent: 6272–6278 in Security (or unknown channel)', () => {
    assert.equal(isNpsSecurityEvent(6273, 'Security'), true);
    assert.equal(isNpsSecurityEvent(6272, undefined), true);
    assert.equal(isNpsSecurityEvent(6273, 'AuthZOptCh'), false);
    assert.equal(isNpsSecurityEvent(4625, 'Security'), false);
    assert.equal(isNpsSecurityEvent(undefined, 'Security'), false);
  });
});
