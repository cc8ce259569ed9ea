import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Construct } from "constructs";
import { pin } from "../lib/address";
import { PolicyStatement } from "../lib/iam";

export interface PolicyDocumentProps {
  /** Statements known at creation; more can be added with {@link PolicyDocument.addStatements}. */
  readonly statements?: readonly PolicyStatement[];
}

/**
 * An IAM policy document rendered by `aws_iam_policy_document` (a local data source: no API
 * call), so statements stay structured and readable in plans, JSON and HCL alike.
 */
export class PolicyDocument extends Construct {
  /** The rendered JSON policy. */
  public readonly json: string;
  private readonly statements: PolicyStatement[] = [];
  private readonly document: DataAwsIamPolicyDocument;

  constructor(scope: Construct, id: string, props: PolicyDocumentProps = {}) {
    super(scope, id);
    this.document = pin(this, new DataAwsIamPolicyDocument(this, "document"));
    this.json = this.document.json;
    this.addStatements(...(props.statements ?? []));
  }

  /** Adds statements; one equal to a statement already present is skipped (grants may repeat). */
  public addStatements(...statements: PolicyStatement[]): void {
    for (const statement of statements) {
      const key = JSON.stringify(statement);
      if (!this.statements.some((s) => JSON.stringify(s) === key)) this.statements.push(statement);
    }
    this.document.putStatement(this.statements.map(toBlock));
  }

  /** Copies of the statements added so far (for tests and policy checks). */
  public get statementList(): readonly PolicyStatement[] {
    return [...this.statements];
  }
}

function toBlock(s: PolicyStatement): DataAwsIamPolicyDocumentStatement {
  return {
    sid: s.sid,
    effect: s.effect ?? "Allow",
    actions: s.actions ? [...s.actions] : undefined,
    notActions: s.notActions ? [...s.notActions] : undefined,
    resources: s.resources ? [...s.resources] : undefined,
    principals: s.principals?.map((p) => ({ type: p.type, identifiers: [...p.identifiers] })),
    condition: s.conditions?.map((c) => ({ test: c.test, variable: c.variable, values: [...c.values] })),
  };
}
