# A recursive-descent calculator over a string: tokenizer, parser and evaluator with ints,
# floats, parentheses, unary minus, ** and //.
def tokenize(s):
    toks = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == ' ':
            i += 1
        elif c.isdigit() or c == '.':
            j = i
            while j < len(s) and (s[j].isdigit() or s[j] == '.'):
                j += 1
            text = s[i:j]
            toks.append(('num', float(text) if '.' in text else int(text)))
            i = j
        elif s[i:i + 2] in ('**', '//'):
            toks.append(('op', s[i:i + 2]))
            i += 2
        else:
            toks.append(('op', c))
            i += 1
    toks.append(('end', None))
    return toks
def parse(toks):
    pos = [0]
    def peek():
        return toks[pos[0]]
    def take():
        t = toks[pos[0]]
        pos[0] += 1
        return t
    def atom():
        kind, v = take()
        if kind == 'num':
            return v
        if v == '(':
            r = expr()
            take()
            return r
        if v == '-':
            return -power()
        return None
    def power():
        base = atom()
        if peek() == ('op', '**'):
            take()
            return base ** power()
        return base
    def term():
        r = power()
        while peek()[1] in ('*', '/', '//', '%'):
            op = take()[1]
            rhs = power()
            if op == '*':
                r = r * rhs
            elif op == '/':
                r = r / rhs
            elif op == '//':
                r = r // rhs
            else:
                r = r % rhs
        return r
    def expr():
        r = term()
        while peek()[1] in ('+', '-'):
            op = take()[1]
            rhs = term()
            r = r + rhs if op == '+' else r - rhs
        return r
    return expr()
for src in ['1 + 2 * 3', '(1 + 2) * 3', '2 ** 10 ** 2', '-7 // 2', '-7 % 3', '7 / 2', '1.5 * 4',
            '2 ** 0.5', '((((1))))', '10 - 3 - 2', '2 * (3 + 4) ** 2 // 5', '100 / 3 + 0.1', '-2 ** 2', '3 % -2 * 1.0']:
    toks = tokenize(src)
    print(src, '=', parse(toks), len(toks))
