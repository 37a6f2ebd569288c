/** STS (awsQuery, XML): GetCallerIdentity. */
import { credentialsFor } from './credentials.ts';
import { AwsError, xmlEscape } from './protocol.ts';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function stsErrorXml(
  code: string,
  message: string,
  reqId: string,
  type: 'Sender' | 'Receiver' = 'Sender',
): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${xmlEscape(reqId)}</RequestId></ErrorResponse>`;
}

export function handleSts(account: string, action: string, reqId: string): string {
  if (action !== 'GetCallerIdentity') {
    throw new AwsError('InvalidAction', 400, `Could not find operation ${action} for version 2011-06-15`);
  }
  const c = credentialsFor(account);
  return `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult><Arn>${xmlEscape(c.userArn)}</Arn><UserId>${xmlEscape(c.userId)}</UserId><Account>${xmlEscape(account)}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${xmlEscape(reqId)}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
}
