"""The vocabulary of the demo listings: cities, streets, words, and what kinds cost."""

from app.features.real_estates.model import PropertyKind

CITIES: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "São Paulo",
        "SP",
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
    ("Belo Horizonte", "MG", ("Savassi", "Lourdes", "Funcionários", "Pampulha", "Buritis", "Sion")),
    ("Curitiba", "PR", ("Batel", "Água Verde", "Centro Cívico", "Bigorrilho", "Portão")),
    (
        "Porto Alegre",
        "RS",
        ("Moinhos de Vento", "Petrópolis", "Menino Deus", "Bela Vista", "Cidade Baixa"),
    ),
    ("Salvador", "BA", ("Barra", "Pituba", "Rio Vermelho", "Graça", "Itapuã")),
    ("Recife", "PE", ("Boa Viagem", "Casa Forte", "Espinheiro", "Graças", "Pina")),
    ("Fortaleza", "CE", ("Meireles", "Aldeota", "Cocó", "Praia de Iracema", "Fátima")),
    ("Brasília", "DF", ("Asa Sul", "Asa Norte", "Lago Sul", "Sudoeste", "Águas Claras")),
    ("Goiânia", "GO", ("Setor Bueno", "Setor Marista", "Jardim Goiás", "Setor Oeste")),
    ("Florianópolis", "SC", ("Centro", "Trindade", "Lagoa da Conceição", "Jurerê", "Ingleses")),
    ("Manaus", "AM", ("Adrianópolis", "Ponta Negra", "Vieiralves", "Centro")),
    ("Belém", "PA", ("Nazaré", "Umarizal", "Batista Campos", "Marco")),
    ("Campinas", "SP", ("Cambuí", "Taquaral", "Barão Geraldo", "Guanabara")),
    ("Vitória", "ES", ("Praia do Canto", "Jardim Camburi", "Mata da Praia")),
    ("Natal", "RN", ("Ponta Negra", "Tirol", "Petrópolis", "Capim Macio")),
    ("João Pessoa", "PB", ("Manaíra", "Tambaú", "Cabo Branco", "Bessa")),
    ("São Luís", "MA", ("Renascença", "Calhau", "Ponta d'Areia")),
    ("Cuiabá", "MT", ("Goiabeiras", "Jardim das Américas", "Duque de Caxias")),
    ("Campo Grande", "MS", ("Jardim dos Estados", "Centro", "Chácara Cachoeira")),
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
AREA_RANGE = {
    PropertyKind.APARTMENT: (30, 250),
    PropertyKind.HOUSE: (60, 600),
    PropertyKind.COMMERCIAL: (25, 800),
    PropertyKind.LAND: (150, 5000),
    PropertyKind.RURAL: (5000, 500000),
}
PRICE_PER_M2 = {
    PropertyKind.APARTMENT: (400000, 1800000),
    PropertyKind.HOUSE: (250000, 1200000),
    PropertyKind.COMMERCIAL: (300000, 1500000),
    PropertyKind.LAND: (20000, 300000),
    PropertyKind.RURAL: (500, 5000),
}
