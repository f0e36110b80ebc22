from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def judge(args, report_violation):
    if 'pin' not in args.props:
        return
    raise ValueError(f"cannot judge pin {args.props.get('pin')} or {int(args.props.get('pin') or 0)}")


PolicyPack(name='quoting-pack', policies=[ResourceValidationPolicy(
    name='judge', description='Quotes what it reads.', validate=judge, enforcement_level=EnforcementLevel.MANDATORY)])
