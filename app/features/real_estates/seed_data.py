"""The vocabulary of the demo listings: cities, streets, words, and what kinds cost."""

from app.features.real_estates.model import PropertyKind

# Name, state, the city centre (lat, lng), neighbourhoods.
CITIES: list[tuple[str, str, tuple[float, float], tuple[str, ...]]] = [
    (
        "São Paulo",
        "SP",
        (-23.5505, -46.6333),
        (
            "Pinheiros",
            "Moema",
            "Vila Mariana",
            "Itaim Bibi",
            "Tatuapé",
            "Santana",
            "Butantã",
            "Bela Vista",
            "Perdizes",
            "Mooca",
        ),
    ),
    (
        "Rio de Janeiro",
        "RJ",
        (-22.9068, -43.1729),
        (
            "Copacabana",
            "Ipanema",
            "Leblon",
            "Botafogo",
            "Tijuca",
            "Barra da Tijuca",
            "Flamengo",
            "Méier",
        ),
    ),
    (
        "Belo Horizonte",
        "MG",
        (-19.9167, -43.9345),
        ("Savassi", "Lourdes", "Funcionários", "Pampulha", "Buritis", "Sion"),
    ),
    (
        "Curitiba",
        "PR",
        (-25.4284, -49.2733),
        ("Batel", "Água Verde", "Centro Cívico", "Bigorrilho", "Portão"),
    ),
    (
        "Porto Alegre",
        "RS",
        (-30.0346, -51.2177),
        ("Moinhos de Vento", "Petrópolis", "Menino Deus", "Bela Vista", "Cidade Baixa"),
    ),
    (
        "Salvador",
        "BA",
        (-12.9777, -38.5016),
        ("Barra", "Pituba", "Rio Vermelho", "Graça", "Itapuã"),
    ),
    (
        "Recife",
        "PE",
        (-8.0476, -34.877),
        ("Boa Viagem", "Casa Forte", "Espinheiro", "Graças", "Pina"),
    ),
    (
        "Fortaleza",
        "CE",
        (-3.7319, -38.5267),
        ("Meireles", "Aldeota", "Cocó", "Praia de Iracema", "Fátima"),
    ),
    (
        "Brasília",
        "DF",
        (-15.7939, -47.8828),
        ("Asa Sul", "Asa Norte", "Lago Sul", "Sudoeste", "Águas Claras"),
    ),
    (
        "Goiânia",
        "GO",
        (-16.6869, -49.2648),
        ("Setor Bueno", "Setor Marista", "Jardim Goiás", "Setor Oeste"),
    ),
    (
        "Florianópolis",
        "SC",
        (-27.5954, -48.548),
        ("Centro", "Trindade", "Lagoa da Conceição", "Jurerê", "Ingleses"),
    ),
    ("Manaus", "AM", (-3.119, -60.0217), ("Adrianópolis", "Ponta Negra", "Vieiralves", "Centro")),
    ("Belém", "PA", (-1.4558, -48.4902), ("Nazaré", "Umarizal", "Batista Campos", "Marco")),
    ("Campinas", "SP", (-22.9099, -47.0626), ("Cambuí", "Taquaral", "Barão Geraldo", "Guanabara")),
    ("Vitória", "ES", (-20.3155, -40.3128), ("Praia do Canto", "Jardim Camburi", "Mata da Praia")),
    ("Natal", "RN", (-5.7945, -35.211), ("Ponta Negra", "Tirol", "Petrópolis", "Capim Macio")),
    ("João Pessoa", "PB", (-7.1195, -34.845), ("Manaíra", "Tambaú", "Cabo Branco", "Bessa")),
    ("São Luís", "MA", (-2.5307, -44.3068), ("Renascença", "Calhau", "Ponta d'Areia")),
    (
        "Cuiabá",
        "MT",
        (-15.6014, -56.0979),
        ("Goiabeiras", "Jardim das Américas", "Duque de Caxias"),
    ),
    (
        "Campo Grande",
        "MS",
        (-20.4697, -54.6201),
        ("Jardim dos Estados", "Centro", "Chácara Cachoeira"),
    ),
]

STREETS = (
    "Rua das Flores",
    "Avenida Brasil",
    "Rua XV de Novembro",
    "Rua Sete de Setembro",
    "Avenida Paulista",
    "Rua da Consolação",
    "Rua Augusta",
    "Avenida Atlântica",
    "Rua dos Andradas",
    "Avenida Getúlio Vargas",
)
KIND_WORDS = {
    PropertyKind.HOUSE: "Casa",
    PropertyKind.APARTMENT: "Apartamento",
    PropertyKind.LAND: "Terreno",
    PropertyKind.COMMERCIAL: "Sala comercial",
    PropertyKind.RURAL: "Sítio",
}
FEATURES = (
    "varanda gourmet",
    "piscina",
    "churrasqueira",
    "vista para o mar",
    "perto do metrô",
    "condomínio fechado",
    "reformado",
    "sol da manhã",
    "armários planejados",
    "quintal amplo",
    "área verde",
    "portaria 24 horas",
)
KIND_WEIGHTS = {
    PropertyKind.APARTMENT: 50,
    PropertyKind.HOUSE: 30,
    PropertyKind.COMMERCIAL: 10,
    PropertyKind.LAND: 6,
    PropertyKind.RURAL: 4,
}
# Typical area range (m²) and sale price per m² (centavos) of each kind.
# Area in m²: a base, plus what each bedroom adds (a range), for the kinds with rooms.
AREA_RANGE = {
    PropertyKind.APARTMENT: (30, 250),
    PropertyKind.HOUSE: (60, 600),
    PropertyKind.COMMERCIAL: (25, 800),
    PropertyKind.LAND: (150, 5000),
    PropertyKind.RURAL: (5000, 500000),
}
AREA_PER_BEDROOM = {
    PropertyKind.APARTMENT: (22, (14, 30)),
    PropertyKind.HOUSE: (45, (20, 45)),
}
# How far from the centre a listing may lie, in degrees of latitude (~111 km each).
CITY_RADIUS_DEGREES = 0.08
RURAL_RADIUS_DEGREES = 0.4
PRICE_PER_M2 = {
    PropertyKind.APARTMENT: (400000, 1800000),
    PropertyKind.HOUSE: (250000, 1200000),
    PropertyKind.COMMERCIAL: (300000, 1500000),
    PropertyKind.LAND: (20000, 300000),
    PropertyKind.RURAL: (500, 5000),
}
