# A tiny stack machine interpreting a program held in a list of tuples.
def run(prog, env):
    stack = []
    pc = 0
    steps = 0
    while pc < len(prog):
        op, arg = prog[pc]
        pc += 1
        steps += 1
        if op == 'push':
            stack.append(arg)
        elif op == 'load':
            stack.append(env[arg])
        elif op == 'store':
            env[arg] = stack.pop()
        elif op == 'add':
            b = stack.pop()
            a = stack.pop()
            stack.append(a + b)
        elif op == 'mul':
            b = stack.pop()
            a = stack.pop()
            stack.append(a * b)
        elif op == 'lt':
            b = stack.pop()
            a = stack.pop()
            stack.append(a < b)
        elif op == 'jz':
            if not stack.pop():
                pc = arg
        elif op == 'jmp':
            pc = arg
        elif op == 'print':
            print('out:', stack.pop())
    return steps
# i = 0; acc = 1; while i < n: acc = acc * 3; i = i + 1; print(acc)
prog = [('push', 0), ('store', 'i'), ('push', 1), ('store', 'acc'),
        ('load', 'i'), ('load', 'n'), ('lt', None), ('jz', 17),
        ('load', 'acc'), ('push', 3), ('mul', None), ('store', 'acc'),
        ('load', 'i'), ('push', 1), ('add', None), ('store', 'i'), ('jmp', 4),
        ('load', 'acc'), ('print', None)]
for n in [0, 1, 5, 50]:
    env = {'n': n}
    print(n, run(prog, env), env)
env = {'n': 3}
prog2 = [(op, (arg if arg != 3 else 0.5)) for op, arg in prog]
print(run(prog2, env), env)
