//! CPython 3.11 opcode numbers, inline-cache sizes and names (from the `opcode` module of
//! CPython 3.11; the `.pyc` magic number 3495 pins this table).

/// `CACHE`.
pub const CACHE: u8 = 0;
/// `POP_TOP`.
pub const POP_TOP: u8 = 1;
/// `PUSH_NULL`.
pub const PUSH_NULL: u8 = 2;
/// `NOP`.
pub const NOP: u8 = 9;
/// `UNARY_POSITIVE`.
pub const UNARY_POSITIVE: u8 = 10;
/// `UNARY_NEGATIVE`.
pub const UNARY_NEGATIVE: u8 = 11;
/// `UNARY_NOT`.
pub const UNARY_NOT: u8 = 12;
/// `UNARY_INVERT`.
pub const UNARY_INVERT: u8 = 15;
/// `BINARY_SUBSCR`.
pub const BINARY_SUBSCR: u8 = 25;
/// `GET_LEN`.
pub const GET_LEN: u8 = 30;
/// `MATCH_MAPPING`.
pub const MATCH_MAPPING: u8 = 31;
/// `MATCH_SEQUENCE`.
pub const MATCH_SEQUENCE: u8 = 32;
/// `MATCH_KEYS`.
pub const MATCH_KEYS: u8 = 33;
/// `PUSH_EXC_INFO`.
pub const PUSH_EXC_INFO: u8 = 35;
/// `CHECK_EXC_MATCH`.
pub const CHECK_EXC_MATCH: u8 = 36;
/// `CHECK_EG_MATCH`.
pub const CHECK_EG_MATCH: u8 = 37;
/// `WITH_EXCEPT_START`.
pub const WITH_EXCEPT_START: u8 = 49;
/// `GET_AITER`.
pub const GET_AITER: u8 = 50;
/// `GET_ANEXT`.
pub const GET_ANEXT: u8 = 51;
/// `BEFORE_ASYNC_WITH`.
pub const BEFORE_ASYNC_WITH: u8 = 52;
/// `BEFORE_WITH`.
pub const BEFORE_WITH: u8 = 53;
/// `END_ASYNC_FOR`.
pub const END_ASYNC_FOR: u8 = 54;
/// `STORE_SUBSCR`.
pub const STORE_SUBSCR: u8 = 60;
/// `DELETE_SUBSCR`.
pub const DELETE_SUBSCR: u8 = 61;
/// `GET_ITER`.
pub const GET_ITER: u8 = 68;
/// `GET_YIELD_FROM_ITER`.
pub const GET_YIELD_FROM_ITER: u8 = 69;
/// `PRINT_EXPR`.
pub const PRINT_EXPR: u8 = 70;
/// `LOAD_BUILD_CLASS`.
pub const LOAD_BUILD_CLASS: u8 = 71;
/// `LOAD_ASSERTION_ERROR`.
pub const LOAD_ASSERTION_ERROR: u8 = 74;
/// `RETURN_GENERATOR`.
pub const RETURN_GENERATOR: u8 = 75;
/// `LIST_TO_TUPLE`.
pub const LIST_TO_TUPLE: u8 = 82;
/// `RETURN_VALUE`.
pub const RETURN_VALUE: u8 = 83;
/// `IMPORT_STAR`.
pub const IMPORT_STAR: u8 = 84;
/// `SETUP_ANNOTATIONS`.
pub const SETUP_ANNOTATIONS: u8 = 85;
/// `YIELD_VALUE`.
pub const YIELD_VALUE: u8 = 86;
/// `ASYNC_GEN_WRAP`.
pub const ASYNC_GEN_WRAP: u8 = 87;
/// `PREP_RERAISE_STAR`.
pub const PREP_RERAISE_STAR: u8 = 88;
/// `POP_EXCEPT`.
pub const POP_EXCEPT: u8 = 89;
/// `STORE_NAME`.
pub const STORE_NAME: u8 = 90;
/// `DELETE_NAME`.
pub const DELETE_NAME: u8 = 91;
/// `UNPACK_SEQUENCE`.
pub const UNPACK_SEQUENCE: u8 = 92;
/// `FOR_ITER`.
pub const FOR_ITER: u8 = 93;
/// `UNPACK_EX`.
pub const UNPACK_EX: u8 = 94;
/// `STORE_ATTR`.
pub const STORE_ATTR: u8 = 95;
/// `DELETE_ATTR`.
pub const DELETE_ATTR: u8 = 96;
/// `STORE_GLOBAL`.
pub const STORE_GLOBAL: u8 = 97;
/// `DELETE_GLOBAL`.
pub const DELETE_GLOBAL: u8 = 98;
/// `SWAP`.
pub const SWAP: u8 = 99;
/// `LOAD_CONST`.
pub const LOAD_CONST: u8 = 100;
/// `LOAD_NAME`.
pub const LOAD_NAME: u8 = 101;
/// `BUILD_TUPLE`.
pub const BUILD_TUPLE: u8 = 102;
/// `BUILD_LIST`.
pub const BUILD_LIST: u8 = 103;
/// `BUILD_SET`.
pub const BUILD_SET: u8 = 104;
/// `BUILD_MAP`.
pub const BUILD_MAP: u8 = 105;
/// `LOAD_ATTR`.
pub const LOAD_ATTR: u8 = 106;
/// `COMPARE_OP`.
pub const COMPARE_OP: u8 = 107;
/// `IMPORT_NAME`.
pub const IMPORT_NAME: u8 = 108;
/// `IMPORT_FROM`.
pub const IMPORT_FROM: u8 = 109;
/// `JUMP_FORWARD`.
pub const JUMP_FORWARD: u8 = 110;
/// `JUMP_IF_FALSE_OR_POP`.
pub const JUMP_IF_FALSE_OR_POP: u8 = 111;
/// `JUMP_IF_TRUE_OR_POP`.
pub const JUMP_IF_TRUE_OR_POP: u8 = 112;
/// `POP_JUMP_FORWARD_IF_FALSE`.
pub const POP_JUMP_FORWARD_IF_FALSE: u8 = 114;
/// `POP_JUMP_FORWARD_IF_TRUE`.
pub const POP_JUMP_FORWARD_IF_TRUE: u8 = 115;
/// `LOAD_GLOBAL`.
pub const LOAD_GLOBAL: u8 = 116;
/// `IS_OP`.
pub const IS_OP: u8 = 117;
/// `CONTAINS_OP`.
pub const CONTAINS_OP: u8 = 118;
/// `RERAISE`.
pub const RERAISE: u8 = 119;
/// `COPY`.
pub const COPY: u8 = 120;
/// `BINARY_OP`.
pub const BINARY_OP: u8 = 122;
/// `SEND`.
pub const SEND: u8 = 123;
/// `LOAD_FAST`.
pub const LOAD_FAST: u8 = 124;
/// `STORE_FAST`.
pub const STORE_FAST: u8 = 125;
/// `DELETE_FAST`.
pub const DELETE_FAST: u8 = 126;
/// `POP_JUMP_FORWARD_IF_NOT_NONE`.
pub const POP_JUMP_FORWARD_IF_NOT_NONE: u8 = 128;
/// `POP_JUMP_FORWARD_IF_NONE`.
pub const POP_JUMP_FORWARD_IF_NONE: u8 = 129;
/// `RAISE_VARARGS`.
pub const RAISE_VARARGS: u8 = 130;
/// `GET_AWAITABLE`.
pub const GET_AWAITABLE: u8 = 131;
/// `MAKE_FUNCTION`.
pub const MAKE_FUNCTION: u8 = 132;
/// `BUILD_SLICE`.
pub const BUILD_SLICE: u8 = 133;
/// `JUMP_BACKWARD_NO_INTERRUPT`.
pub const JUMP_BACKWARD_NO_INTERRUPT: u8 = 134;
/// `MAKE_CELL`.
pub const MAKE_CELL: u8 = 135;
/// `LOAD_CLOSURE`.
pub const LOAD_CLOSURE: u8 = 136;
/// `LOAD_DEREF`.
pub const LOAD_DEREF: u8 = 137;
/// `STORE_DEREF`.
pub const STORE_DEREF: u8 = 138;
/// `DELETE_DEREF`.
pub const DELETE_DEREF: u8 = 139;
/// `JUMP_BACKWARD`.
pub const JUMP_BACKWARD: u8 = 140;
/// `CALL_FUNCTION_EX`.
pub const CALL_FUNCTION_EX: u8 = 142;
/// `EXTENDED_ARG`.
pub const EXTENDED_ARG: u8 = 144;
/// `LIST_APPEND`.
pub const LIST_APPEND: u8 = 145;
/// `SET_ADD`.
pub const SET_ADD: u8 = 146;
/// `MAP_ADD`.
pub const MAP_ADD: u8 = 147;
/// `LOAD_CLASSDEREF`.
pub const LOAD_CLASSDEREF: u8 = 148;
/// `COPY_FREE_VARS`.
pub const COPY_FREE_VARS: u8 = 149;
/// `RESUME`.
pub const RESUME: u8 = 151;
/// `MATCH_CLASS`.
pub const MATCH_CLASS: u8 = 152;
/// `FORMAT_VALUE`.
pub const FORMAT_VALUE: u8 = 155;
/// `BUILD_CONST_KEY_MAP`.
pub const BUILD_CONST_KEY_MAP: u8 = 156;
/// `BUILD_STRING`.
pub const BUILD_STRING: u8 = 157;
/// `LOAD_METHOD`.
pub const LOAD_METHOD: u8 = 160;
/// `LIST_EXTEND`.
pub const LIST_EXTEND: u8 = 162;
/// `SET_UPDATE`.
pub const SET_UPDATE: u8 = 163;
/// `DICT_MERGE`.
pub const DICT_MERGE: u8 = 164;
/// `DICT_UPDATE`.
pub const DICT_UPDATE: u8 = 165;
/// `PRECALL`.
pub const PRECALL: u8 = 166;
/// `CALL`.
pub const CALL: u8 = 171;
/// `KW_NAMES`.
pub const KW_NAMES: u8 = 172;
/// `POP_JUMP_BACKWARD_IF_NOT_NONE`.
pub const POP_JUMP_BACKWARD_IF_NOT_NONE: u8 = 173;
/// `POP_JUMP_BACKWARD_IF_NONE`.
pub const POP_JUMP_BACKWARD_IF_NONE: u8 = 174;
/// `POP_JUMP_BACKWARD_IF_FALSE`.
pub const POP_JUMP_BACKWARD_IF_FALSE: u8 = 175;
/// `POP_JUMP_BACKWARD_IF_TRUE`.
pub const POP_JUMP_BACKWARD_IF_TRUE: u8 = 176;

/// The number of inline cache code units that follow `op`.
pub fn cache_entries(op: u8) -> usize {
    match op {
        BINARY_SUBSCR => 4,
        STORE_SUBSCR => 1,
        UNPACK_SEQUENCE => 1,
        STORE_ATTR => 4,
        LOAD_ATTR => 4,
        COMPARE_OP => 2,
        LOAD_GLOBAL => 5,
        BINARY_OP => 1,
        LOAD_METHOD => 10,
        PRECALL => 1,
        CALL => 4,
        _ => 0,
    }
}

/// True for the relative jumps that go backward.
pub fn is_backward_jump(op: u8) -> bool {
    matches!(
        op,
        JUMP_BACKWARD
            | JUMP_BACKWARD_NO_INTERRUPT
            | POP_JUMP_BACKWARD_IF_FALSE
            | POP_JUMP_BACKWARD_IF_TRUE
            | POP_JUMP_BACKWARD_IF_NONE
            | POP_JUMP_BACKWARD_IF_NOT_NONE
    )
}

/// The opcode's name, for error messages.
pub fn name(op: u8) -> &'static str {
    match op {
        CACHE => "CACHE",
        POP_TOP => "POP_TOP",
        PUSH_NULL => "PUSH_NULL",
        NOP => "NOP",
        UNARY_POSITIVE => "UNARY_POSITIVE",
        UNARY_NEGATIVE => "UNARY_NEGATIVE",
        UNARY_NOT => "UNARY_NOT",
        UNARY_INVERT => "UNARY_INVERT",
        BINARY_SUBSCR => "BINARY_SUBSCR",
        GET_LEN => "GET_LEN",
        MATCH_MAPPING => "MATCH_MAPPING",
        MATCH_SEQUENCE => "MATCH_SEQUENCE",
        MATCH_KEYS => "MATCH_KEYS",
        PUSH_EXC_INFO => "PUSH_EXC_INFO",
        CHECK_EXC_MATCH => "CHECK_EXC_MATCH",
        CHECK_EG_MATCH => "CHECK_EG_MATCH",
        WITH_EXCEPT_START => "WITH_EXCEPT_START",
        GET_AITER => "GET_AITER",
        GET_ANEXT => "GET_ANEXT",
        BEFORE_ASYNC_WITH => "BEFORE_ASYNC_WITH",
        BEFORE_WITH => "BEFORE_WITH",
        END_ASYNC_FOR => "END_ASYNC_FOR",
        STORE_SUBSCR => "STORE_SUBSCR",
        DELETE_SUBSCR => "DELETE_SUBSCR",
        GET_ITER => "GET_ITER",
        GET_YIELD_FROM_ITER => "GET_YIELD_FROM_ITER",
        PRINT_EXPR => "PRINT_EXPR",
        LOAD_BUILD_CLASS => "LOAD_BUILD_CLASS",
        LOAD_ASSERTION_ERROR => "LOAD_ASSERTION_ERROR",
        RETURN_GENERATOR => "RETURN_GENERATOR",
        LIST_TO_TUPLE => "LIST_TO_TUPLE",
        RETURN_VALUE => "RETURN_VALUE",
        IMPORT_STAR => "IMPORT_STAR",
        SETUP_ANNOTATIONS => "SETUP_ANNOTATIONS",
        YIELD_VALUE => "YIELD_VALUE",
        ASYNC_GEN_WRAP => "ASYNC_GEN_WRAP",
        PREP_RERAISE_STAR => "PREP_RERAISE_STAR",
        POP_EXCEPT => "POP_EXCEPT",
        STORE_NAME => "STORE_NAME",
        DELETE_NAME => "DELETE_NAME",
        UNPACK_SEQUENCE => "UNPACK_SEQUENCE",
        FOR_ITER => "FOR_ITER",
        UNPACK_EX => "UNPACK_EX",
        STORE_ATTR => "STORE_ATTR",
        DELETE_ATTR => "DELETE_ATTR",
        STORE_GLOBAL => "STORE_GLOBAL",
        DELETE_GLOBAL => "DELETE_GLOBAL",
        SWAP => "SWAP",
        LOAD_CONST => "LOAD_CONST",
        LOAD_NAME => "LOAD_NAME",
        BUILD_TUPLE => "BUILD_TUPLE",
        BUILD_LIST => "BUILD_LIST",
        BUILD_SET => "BUILD_SET",
        BUILD_MAP => "BUILD_MAP",
        LOAD_ATTR => "LOAD_ATTR",
        COMPARE_OP => "COMPARE_OP",
        IMPORT_NAME => "IMPORT_NAME",
        IMPORT_FROM => "IMPORT_FROM",
        JUMP_FORWARD => "JUMP_FORWARD",
        JUMP_IF_FALSE_OR_POP => "JUMP_IF_FALSE_OR_POP",
        JUMP_IF_TRUE_OR_POP => "JUMP_IF_TRUE_OR_POP",
        POP_JUMP_FORWARD_IF_FALSE => "POP_JUMP_FORWARD_IF_FALSE",
        POP_JUMP_FORWARD_IF_TRUE => "POP_JUMP_FORWARD_IF_TRUE",
        LOAD_GLOBAL => "LOAD_GLOBAL",
        IS_OP => "IS_OP",
        CONTAINS_OP => "CONTAINS_OP",
        RERAISE => "RERAISE",
        COPY => "COPY",
        BINARY_OP => "BINARY_OP",
        SEND => "SEND",
        LOAD_FAST => "LOAD_FAST",
        STORE_FAST => "STORE_FAST",
        DELETE_FAST => "DELETE_FAST",
        POP_JUMP_FORWARD_IF_NOT_NONE => "POP_JUMP_FORWARD_IF_NOT_NONE",
        POP_JUMP_FORWARD_IF_NONE => "POP_JUMP_FORWARD_IF_NONE",
        RAISE_VARARGS => "RAISE_VARARGS",
        GET_AWAITABLE => "GET_AWAITABLE",
        MAKE_FUNCTION => "MAKE_FUNCTION",
        BUILD_SLICE => "BUILD_SLICE",
        JUMP_BACKWARD_NO_INTERRUPT => "JUMP_BACKWARD_NO_INTERRUPT",
        MAKE_CELL => "MAKE_CELL",
        LOAD_CLOSURE => "LOAD_CLOSURE",
        LOAD_DEREF => "LOAD_DEREF",
        STORE_DEREF => "STORE_DEREF",
        DELETE_DEREF => "DELETE_DEREF",
        JUMP_BACKWARD => "JUMP_BACKWARD",
        CALL_FUNCTION_EX => "CALL_FUNCTION_EX",
        EXTENDED_ARG => "EXTENDED_ARG",
        LIST_APPEND => "LIST_APPEND",
        SET_ADD => "SET_ADD",
        MAP_ADD => "MAP_ADD",
        LOAD_CLASSDEREF => "LOAD_CLASSDEREF",
        COPY_FREE_VARS => "COPY_FREE_VARS",
        RESUME => "RESUME",
        MATCH_CLASS => "MATCH_CLASS",
        FORMAT_VALUE => "FORMAT_VALUE",
        BUILD_CONST_KEY_MAP => "BUILD_CONST_KEY_MAP",
        BUILD_STRING => "BUILD_STRING",
        LOAD_METHOD => "LOAD_METHOD",
        LIST_EXTEND => "LIST_EXTEND",
        SET_UPDATE => "SET_UPDATE",
        DICT_MERGE => "DICT_MERGE",
        DICT_UPDATE => "DICT_UPDATE",
        PRECALL => "PRECALL",
        CALL => "CALL",
        KW_NAMES => "KW_NAMES",
        POP_JUMP_BACKWARD_IF_NOT_NONE => "POP_JUMP_BACKWARD_IF_NOT_NONE",
        POP_JUMP_BACKWARD_IF_NONE => "POP_JUMP_BACKWARD_IF_NONE",
        POP_JUMP_BACKWARD_IF_FALSE => "POP_JUMP_BACKWARD_IF_FALSE",
        POP_JUMP_BACKWARD_IF_TRUE => "POP_JUMP_BACKWARD_IF_TRUE",
        _ => "<unknown opcode>",
    }
}
